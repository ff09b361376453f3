using System.Text.Json.Nodes;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>codex-login: device-code flow against the loopback issuer (behaviors 109-110).</summary>
public sealed class CodexLoginTests
{
    [Fact]
    public async Task Device_login_writes_auth_json_0600_in_the_profile_dir_with_the_account_id()
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync(["alpha"], box.Env(), command: "codex-login", timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        var dir = Path.Combine(box.Root, "ai", "settings", "codex_alpha");
        var path = Path.Combine(dir, "auth.json");
        Assert.Contains(result.StdoutLines, l => l == "Sign in with Device Code");
        Assert.Contains(result.StdoutLines, l => l.Trim() == box.Server.Issuer + "/codex/device");
        Assert.Contains(result.StdoutLines, l => l == $"Login successful! Credentials saved to {path}");
        Assert.Contains(result.StderrLines, l => l == "Waiting for authorization...");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));

        var auth = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("chatgpt", auth["auth_mode"]!.GetValue<string>());
        Assert.Null(auth["OPENAI_API_KEY"]);
        Assert.True(auth.ContainsKey("OPENAI_API_KEY"));
        var tokens = auth["tokens"]!.AsObject();
        Assert.Equal(box.Server.ChatGptAccountId, tokens["account_id"]!.GetValue<string>());
        Assert.True(box.Server.IsAccessTokenValid(tokens["access_token"]!.GetValue<string>()));
        Assert.Equal(3, tokens["id_token"]!.GetValue<string>().Split('.').Length);
        Assert.EndsWith("Z", auth["last_refresh"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, box.Server.Stats.PkceFailures);
        Assert.True(box.Server.Stats.DevicePolls >= 2);

        var status = await box.RunAsync(["alpha", "--status"], box.Env(), command: "codex-login");
        Assert.Equal(0, status.ExitCode);
        Assert.Equal(["Logged in using ChatGPT"], status.StdoutLines);
    }

    [Fact]
    public async Task Status_without_a_file_says_not_logged_in_and_exits_1()
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync(["--status"], box.Env(), command: "codex-login");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["Not logged in"], result.StdoutLines);
    }

    [Fact]
    public async Task Status_recognizes_an_api_key_and_rejects_an_unknown_file()
    {
        await using var box = new Sandbox();
        var dir = Path.Combine(box.Root, "ai", "settings", "codex");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "auth.json"), "{\"OPENAI_API_KEY\":\"sk-test\"}");
        var key = await box.RunAsync(["--status"], box.Env(), command: "codex-login");
        File.WriteAllText(Path.Combine(dir, "auth.json"), "{\"something\":1}");
        var unknown = await box.RunAsync(["--status"], box.Env(), command: "codex-login");

        Assert.Equal((0, "Logged in using an API key"), (key.ExitCode, key.Stdout.Trim()));
        Assert.Equal((1, "Auth file exists but does not contain a recognized Codex login"), (unknown.ExitCode, unknown.Stdout.Trim()));
    }

    [Fact]
    public async Task Codex_settings_dir_overrides_the_profile_dir()
    {
        await using var box = new Sandbox();
        var dir = Path.Combine(box.Root, "explicit");
        var result = await box.RunAsync([], box.Env(null, ("CODEX_SETTINGS_DIR", dir)), command: "codex-login", timeout: TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "auth.json")));
    }

    [Fact]
    public async Task Device_code_request_failure_is_one_error_and_exit_1()
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync([], box.Env(null, ("CODEX_ISSUER", box.Server.Issuer + "/nowhere")), command: "codex-login");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StderrLines, l => l.StartsWith("Error: device code request failed: HTTP 404", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("--bogus")]
    [InlineData("x y")]
    public async Task Bad_arguments_exit_2_with_one_fatal_line(string arg)
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync([arg], box.Env(), command: "codex-login");
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_profiles_or_two_modes_are_rejected()
    {
        await using var box = new Sandbox();
        var profiles = await box.RunAsync(["a", "b"], box.Env(), command: "codex-login");
        var modes = await box.RunAsync(["--login", "--status"], box.Env(), command: "codex-login");
        Assert.Equal(2, profiles.ExitCode);
        Assert.Equal(2, modes.ExitCode);
    }
}
