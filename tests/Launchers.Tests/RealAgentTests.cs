using System.Text;
using System.Text.Json.Nodes;
using AiSandbox.Launchers.Tests.Support;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

/// <summary>The homes our launchers write, read by the real agent programs (offline: no account, no model call).</summary>
public sealed class RealAgentTests(StubAgent stub) : IClassFixture<StubAgent>
{
    private static Dictionary<string, string?> AgentEnv(LauncherSandbox box) => new()
    {
        ["HOME"] = box.Home,
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["DISABLE_AUTOUPDATER"] = "1",
        ["NO_COLOR"] = "1",
    };

    [Fact]
    public async Task Claude_reads_the_prepared_home_version_and_sentry_server()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        File.WriteAllText(Path.Combine(box.Settings, "sentry.token"), "tok-123\n");
        File.WriteAllText(Path.Combine(box.Settings, "sentry.host"), "sentry.example.com\n");
        var launch = await box.RunAsync("c", ["work"]);
        Assert.True(launch.Result.ExitCode == 0, launch.ToString());

        var version = await Run.ProcessAsync(RealAgents.Claude, ["--version"], AgentEnv(box), cwd: box.App);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Contains(RealAgents.Version("claude-code"), version.Stdout);

        // claude may start the server through npx to report its status; the configuration is what we check.
        var mcp = await Run.ProcessAsync(RealAgents.Claude, ["mcp", "get", "sentry"], AgentEnv(box), cwd: box.App, timeout: TimeSpan.FromSeconds(90));
        Assert.Contains("sentry:", mcp.Stdout);
        Assert.Contains("Type: stdio", mcp.Stdout);
        Assert.Contains("Command: npx", mcp.Stdout);
        Assert.Contains($"Args: -y {ClaudeLaunchTests.PinnedSentry()} --host=sentry.example.com", mcp.Stdout);
        Assert.Contains("SENTRY_ACCESS_TOKEN=tok-123", mcp.Stdout);
    }

    [Fact]
    public async Task Codex_accepts_the_auth_cx_installed()
    {
        using var box = new LauncherSandbox(stub);
        Directory.CreateDirectory(Path.Combine(box.Settings, "codex_alpha"));
        File.WriteAllText(Path.Combine(box.Settings, "codex_alpha", "auth.json"), CodexAuth());
        var launch = await box.RunAsync("cx", ["alpha"]);
        Assert.True(launch.Result.ExitCode == 0, launch.ToString());

        var status = await Run.ProcessAsync(RealAgents.Codex, ["login", "status"], AgentEnv(box), cwd: box.App);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Logged in using ChatGPT", status.Stdout + status.Stderr);

        var version = await Run.ProcessAsync(RealAgents.Codex, ["--version"], AgentEnv(box), cwd: box.App);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Contains(RealAgents.Version("codex"), version.Stdout);
    }

    [Fact]
    public async Task Gemini_runs_with_the_prepared_home()
    {
        using var box = new LauncherSandbox(stub);
        var settings = Path.Combine(box.Settings, "gemini");
        Directory.CreateDirectory(settings);
        File.WriteAllText(Path.Combine(settings, "settings.json"), """{"ui":{"theme":"Default"}}""");
        File.WriteAllText(Path.Combine(settings, "installation_id"), "11111111-2222-4333-8444-555555555555");
        var launch = await box.RunAsync("g", []);
        Assert.True(launch.Result.ExitCode == 0, launch.ToString());

        var version = await Run.ProcessAsync(RealAgents.Gemini, ["--version"], AgentEnv(box), cwd: box.App);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Contains(RealAgents.Version("gemini-cli"), version.Stdout);
    }

    /// <summary>A ChatGPT-login auth.json whose tokens are well-formed JWTs (codex parses the id_token's claims).</summary>
    internal static string CodexAuth()
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["email"] = "dev@example.com",
            ["sub"] = "user-1",
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["https://api.openai.com/auth"] = new JsonObject
            {
                ["chatgpt_plan_type"] = "plus",
                ["chatgpt_account_id"] = "acc-1",
                ["chatgpt_user_id"] = "user-1",
            },
        };
        var jwt = B64("""{"alg":"RS256","typ":"JWT"}""") + "." + B64(claims.ToJsonString()) + "." + B64("signature");
        return new JsonObject
        {
            ["OPENAI_API_KEY"] = null,
            ["tokens"] = new JsonObject { ["id_token"] = jwt, ["access_token"] = jwt, ["refresh_token"] = "rt-1", ["account_id"] = "acc-1" },
            ["last_refresh"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }.ToJsonString();
    }
}
