using System.Diagnostics;
using AiSandbox.Launchers.Tests.Support;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

public sealed class LoginAndHookTests(StubAgent stub) : IClassFixture<StubAgent>
{
    private static string SessionWithProfile(LauncherSandbox box, string profile)
    {
        var session = Path.Combine(box.History, "2026", "08_Aug", "20_Thu_10-00_claude");
        Directory.CreateDirectory(session);
        File.WriteAllText(Path.Combine(session, ".profile"), profile + "\n");
        File.CreateSymbolicLink(Path.Combine(box.Home, ".claude"), session);
        return session;
    }

    [Fact]
    public async Task Login_prefers_a_valid_history_copy_then_falls_back_to_settings()
    {
        using var box = new LauncherSandbox(stub);
        var session = SessionWithProfile(box, "alpha");
        box.WriteCredentials("alpha", LauncherSandbox.InHours(-1), "at-settings");
        var other = Path.Combine(box.History, "2026", "08_Aug", "20_Thu_09-00_claude");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, ".profile"), "alpha\n");
        File.WriteAllText(Path.Combine(other, ".credentials.json"),
            "{\"claudeAiOauth\":{\"accessToken\":\"at-history\",\"refreshToken\":\"r\",\"expiresAt\":" + LauncherSandbox.InHours(3) + "}}");

        var fromHistory = await box.RunAsync("l", []);
        Assert.True(fromHistory.Result.ExitCode == 0, fromHistory.ToString());
        Assert.Contains("Login refreshed from history (profile: alpha)", fromHistory.Result.Stdout);
        Assert.Contains("at-history", File.ReadAllText(Path.Combine(session, ".credentials.json")));

        File.Delete(Path.Combine(other, ".credentials.json"));
        File.Delete(Path.Combine(session, ".credentials.json"));
        var fromSettings = await box.RunAsync("claude-login", ["alpha"]);
        Assert.True(fromSettings.Result.ExitCode == 0, fromSettings.ToString());
        Assert.Contains("Login refreshed (profile: alpha)", fromSettings.Result.Stdout);
        Assert.Contains("at-settings", File.ReadAllText(Path.Combine(session, ".credentials.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(session, ".credentials.json")));
    }

    [Fact]
    public async Task Login_refuses_apikey_sessions_and_names_a_missing_file()
    {
        using var box = new LauncherSandbox(stub);
        SessionWithProfile(box, "apikey");

        var apikey = await box.RunAsync("claude-login", []);
        Assert.Equal(1, apikey.Result.ExitCode);
        Assert.Contains("at=error msg=\"no oauth profile to login with\"", apikey.Result.Stderr);

        var missing = await box.RunAsync("claude-login", ["beta"]);
        Assert.Equal(1, missing.Result.ExitCode);
        Assert.Contains($"at=error msg=\"credentials file not found\" path={box.Settings}/.credentials.beta.json", missing.Result.Stderr);
    }

    [Theory]
    [InlineData("""{"prompt":"hello"}""", 0)]
    [InlineData("""{"prompt":"xx"}""", 0)]
    [InlineData("""{"session_id":"s"}""", 0)]
    public async Task Hook_lets_ordinary_prompts_pass(string input, int expected)
    {
        using var box = new LauncherSandbox(stub);
        var run = await box.RunAsync("claude-hook", [], stdin: input);
        Assert.True(run.Result.ExitCode == expected, run.ToString());
        Assert.Equal(string.Empty, run.Result.Stdout);
    }

    [Fact]
    public async Task Hook_l_runs_login_with_output_on_stderr_and_blocks_the_prompt()
    {
        using var box = new LauncherSandbox(stub);
        var session = SessionWithProfile(box, "alpha");
        box.WriteCredentials("alpha", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("claude-hook", [], stdin: """{"prompt":"l","session_id":"s"}""");

        Assert.True(run.Result.ExitCode == 2, run.ToString());
        Assert.Equal(string.Empty, run.Result.Stdout);
        Assert.Contains("Login refreshed (profile: alpha)", run.Result.Stderr);
        Assert.True(File.Exists(Path.Combine(session, ".credentials.json")));
    }

    [Theory]
    [InlineData("claude")]
    [InlineData("claude.exe")] // the npm package's native build: its process is named after the file
    public async Task Hook_x_blocks_the_prompt_and_interrupts_the_claude_that_runs_it(string name)
    {
        using var temp = new TempDir();
        // A process named like claude (a shell copied under that name) that runs the hook, then waits for SIGINT.
        var claude = temp[name];
        File.Copy("/bin/bash", claude);
        var marker = temp["interrupted"];
        var script = $"trap 'echo sigint > {marker}; exit 0' INT; echo '{{\"prompt\":\"x\"}}' | {RepoPaths.Binary("claude-hook")} 2>{temp["hook.err"]}; echo $? > {temp["hook.code"]}; for i in $(seq 100); do sleep 0.05; done";
        using var process = Process.Start(new ProcessStartInfo(claude, ["-c", script]) { UseShellExecute = false })!;
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);

        Assert.Equal("2", File.ReadAllText(temp["hook.code"]).Trim());
        Assert.Contains("Exiting...", File.ReadAllText(temp["hook.err"]));
        Assert.True(File.Exists(marker), "claude received SIGINT");
    }
}
