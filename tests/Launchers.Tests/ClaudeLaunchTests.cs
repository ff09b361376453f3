using System.Text.Json.Nodes;
using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

/// <summary>c, published, exec'ing the stub agent: what claude would have been started with and what it finds.</summary>
public sealed class ClaudeLaunchTests(StubAgent stub) : IClassFixture<StubAgent>
{
    [Fact]
    public async Task Execs_claude_in_the_same_process_with_the_prepared_home()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        File.WriteAllText(Path.Combine(box.Settings, "AGENTS.md"), "be brief\n");

        var run = await box.RunAsync("c", ["work"], env => env["HOST_DIR"] = "proj");

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        var agent = run.Ran;
        Assert.Equal(run.Pid, agent.Pid);
        Assert.Equal("claude", agent.Argv0);
        Assert.Equal(["--dangerously-skip-permissions"], agent.Args);
        Assert.Equal(box.App, agent.Cwd);
        Assert.Equal("1", agent.Env["DISABLE_AUTOUPDATER"]);
        Assert.Equal("proj", agent.Env["CLAUDE_REMOTE_CONTROL_SESSION_NAME_PREFIX"]);
        Assert.False(agent.Env.ContainsKey("ANTHROPIC_API_KEY"));
        Assert.False(agent.Env.ContainsKey("CLAUDE_CODE_SKIP_FAST_MODE_ORG_CHECK"));

        var session = Assert.Single(box.SessionHomes("claude"));
        Assert.Matches(@"/history/\d{4}/\d\d_[A-Z][a-z]{2}/\d\d_[A-Z][a-z]{2}_\d\d-\d\d_claude$", session);
        Assert.Equal(session, agent.LinkTarget(".claude"));
        Assert.Equal(Path.Combine(session, "claude.json"), agent.LinkTarget(".claude.json"));
        foreach (var file in new[] { ".credentials.json", ".profile", ".session_name", "CLAUDE.md", "claude.json", "settings.json" })
        {
            Assert.Contains(".claude/" + file, agent.Files);
        }

        Assert.Equal("work\n", File.ReadAllText(Path.Combine(session, ".profile")));
        Assert.Equal("proj\n", File.ReadAllText(Path.Combine(session, ".session_name")));
        Assert.Equal("be brief\n", File.ReadAllText(Path.Combine(session, "CLAUDE.md")));
        Assert.Contains("at-settings", File.ReadAllText(Path.Combine(session, ".credentials.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(session, ".credentials.json")));

        // Model and effort come from the baked settings, never from flags.
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(session, "settings.json")))!;
        Assert.NotNull(settings["model"]);
        Assert.NotNull(settings["effortLevel"]);
        Assert.Null(settings["remoteControlAtStartup"]);
        Assert.Null(settings["fastMode"]);
        var claudeJson = JsonNode.Parse(File.ReadAllText(Path.Combine(session, "claude.json")))!;
        Assert.True((bool)claudeJson["projects"]!["/app"]!["hasTrustDialogAccepted"]!);
        Assert.Null(claudeJson["mcpServers"]);
    }

    [Fact]
    public async Task Apikey_remote_fast_and_debug_reach_claude()
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("c", ["--apikey", "--remote", "--fast", "--debug=api,hooks"], env => env["ANTHROPIC_API_KEY"] = "sk-test");

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(["--dangerously-skip-permissions", "--debug", "api,hooks"], run.Ran.Args);
        Assert.Equal("sk-test", run.Ran.Env["ANTHROPIC_API_KEY"]);
        Assert.Equal("1", run.Ran.Env["CLAUDE_CODE_SKIP_FAST_MODE_ORG_CHECK"]);
        var session = Assert.Single(box.SessionHomes("claude"));
        Assert.Equal("apikey\n", File.ReadAllText(Path.Combine(session, ".profile")));
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(session, "settings.json")))!;
        Assert.True((bool)settings["remoteControlAtStartup"]!);
        Assert.True((bool)settings["fastMode"]!);
        Assert.DoesNotContain("sk-test", run.Result.Stdout + run.Result.Stderr);
    }

    [Fact]
    public async Task Env_switches_and_short_debug_flag()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work", "-d"], env => { env["AI_REMOTE"] = "1"; env["AI_FAST"] = "true"; });

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(["--dangerously-skip-permissions", "--debug"], run.Ran.Args);
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(box.SessionHomes("claude")[0], "settings.json")))!;
        Assert.True((bool)settings["remoteControlAtStartup"]!);
        Assert.True((bool)settings["fastMode"]!);
    }

    [Fact]
    public async Task Sentry_server_is_injected_with_token_and_host()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        File.WriteAllText(Path.Combine(box.Settings, "sentry.token"), " tok \n");

        var run = await box.RunAsync("c", ["work"]);
        Assert.True(run.Result.ExitCode == 0, run.ToString());
        var sentry = JsonNode.Parse(File.ReadAllText(Path.Combine(box.SessionHomes("claude")[0], "claude.json")))!["mcpServers"]!["sentry"]!;
        Assert.Equal("stdio", (string)sentry["type"]!);
        Assert.Equal("npx", (string)sentry["command"]!);
        Assert.Equal(["-y", PinnedSentry()], sentry["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("tok", (string)sentry["env"]!["SENTRY_ACCESS_TOKEN"]!);
        Assert.DoesNotContain("tok", run.Result.Stderr);
        // The token sits in the MCP server's environment, in a file only the owner can read.
        var session = box.SessionHomes("claude")[0];
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(session, "claude.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(session));

        File.WriteAllText(Path.Combine(box.Settings, "sentry.host"), "sentry.example.com\n");
        run = await box.RunAsync("c", ["work"]);
        var second = run.Ran.LinkTarget(".claude")!;
        sentry = JsonNode.Parse(File.ReadAllText(Path.Combine(second, "claude.json")))!["mcpServers"]!["sentry"]!;
        Assert.Equal(["-y", PinnedSentry(), "--host=sentry.example.com"], sentry["args"]!.AsArray().Select(a => (string)a!));
    }

    /// <summary>The package at the version versions/ pins (what npx runs; never "latest").</summary>
    internal static string PinnedSentry()
    {
        var version = File.ReadAllText(Path.Combine(TestSupport.RepoPaths.Root, "versions", "sentry-mcp-server")).Trim();
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        return "@sentry/mcp-server@" + version;
    }

    [Fact]
    public async Task Profile_settings_merge_over_the_baked_ones_and_blocklist_disables_plugins()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("alpha", LauncherSandbox.InHours(5));
        Directory.CreateDirectory(Path.Combine(box.Settings, "claude_alpha"));
        File.WriteAllText(Path.Combine(box.Settings, "claude_alpha", "settings.json"), """{"model":"profile-model","env":{"EXTRA":"1"},"custom":{"kept":true}}""");
        foreach (var plugin in new[] { "good", "noisy" })
        {
            Directory.CreateDirectory(Path.Combine(box.PluginRoot, plugin, ".claude-plugin"));
            File.WriteAllText(Path.Combine(box.PluginRoot, plugin, ".claude-plugin", "plugin.json"), "{}");
        }

        File.WriteAllText(Path.Combine(box.Settings, "plugins.blocklist"), "noisy  # too chatty\nmissing\n\n# comment\n");

        var run = await box.RunAsync("c", ["alpha"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        var session = box.SessionHomes("claude")[0];
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(session, "settings.json")))!;
        var baked = JsonNode.Parse(File.ReadAllText(Path.Combine(box.ClaudeDir, "settings.json")))!;
        Assert.Equal("profile-model", (string)settings["model"]!);
        Assert.Equal((string)baked["effortLevel"]!, (string)settings["effortLevel"]!);
        Assert.Equal("1", (string)settings["env"]!["EXTRA"]!);
        Assert.Equal("1", (string)settings["env"]!["CLAUDE_CODE_DISABLE_TERMINAL_TITLE"]!);
        Assert.True((bool)settings["custom"]!["kept"]!);
        Assert.False((bool)settings["enabledPlugins"]!["noisy@skills-dir"]!);
        Assert.Null(settings["enabledPlugins"]!["good@skills-dir"]);
        Assert.Contains(run.Result.StderrLines, l => l.StartsWith("at=warn", StringComparison.Ordinal) && l.Contains("plugin=\"missing\"", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(box.PluginRoot, "good"), new DirectoryInfo(Path.Combine(session, "skills", "good")).LinkTarget);
        Assert.DoesNotContain("--model", run.Ran.Args);
        Assert.DoesNotContain("--effort", run.Ran.Args);
    }

    [Fact]
    public async Task Two_sessions_in_the_same_minute_get_distinct_homes_and_the_first_keeps_its_credentials()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var first = await box.RunAsync("c", ["work"]);
        var second = await box.RunAsync("c", ["work"]);

        Assert.True(first.Result.ExitCode == 0 && second.Result.ExitCode == 0, first + "\n" + second);
        var homes = box.SessionHomes("claude");
        Assert.Equal(2, homes.Count);
        Assert.NotEqual(first.Ran.LinkTarget(".claude"), second.Ran.LinkTarget(".claude"));
        // The baseline deleted the previous session's .credentials.json through the old link.
        foreach (var home in homes)
        {
            Assert.True(File.Exists(Path.Combine(home, ".credentials.json")), home);
        }
    }

    [Fact]
    public async Task Newest_valid_copy_of_the_chain_is_installed()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(1), "at-settings");
        var old = Path.Combine(box.History, "2026", "01_Jan", "01_Thu_10-00_claude");
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, ".profile"), "work\n");
        File.WriteAllText(Path.Combine(old, ".credentials.json"),
            "{\"claudeAiOauth\":{\"accessToken\":\"at-history\",\"refreshToken\":\"rt2\",\"expiresAt\":" + LauncherSandbox.InHours(7) + "}}");

        var run = await box.RunAsync("c", ["work"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        var session = box.SessionHomes("claude").Single(h => h != old);
        Assert.Contains("at-history", File.ReadAllText(Path.Combine(session, ".credentials.json")));
    }

    [Fact]
    public async Task Missing_templates_still_launch_with_empty_settings()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env =>
        {
            env["CLAUDE_SETTINGS_FILE"] = Path.Combine(box.Root, "none", "settings.json");
            env["CLAUDE_JSON_TEMPLATE"] = Path.Combine(box.Root, "none", "claude.json");
        });

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        var session = box.SessionHomes("claude")[0];
        Assert.Equal("{}", File.ReadAllText(Path.Combine(session, "settings.json")).Trim());
        Assert.False(File.Exists(Path.Combine(session, "claude.json")));
        Assert.Null(run.Ran.LinkTarget(".claude.json"));
    }

    [Fact]
    public async Task Missing_claude_on_PATH_fails_naming_it()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env => env["PATH"] = "/usr/bin:/bin");

        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("msg=\"program not found on PATH\" program=claude", run.Result.Stderr);
    }
}
