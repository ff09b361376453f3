using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

/// <summary>Bad input stops with one fatal line naming it, the documented exit code, and nothing written.</summary>
public sealed class BadInputTests(StubAgent stub) : IClassFixture<StubAgent>
{
    public static TheoryData<string, string[], string> UsageErrors => new()
    {
        { "c", ["../evil"], "msg=\"invalid profile\" profile=\"../evil\"" },
        { "c", ["a/b"], "msg=\"invalid profile\" profile=\"a/b\"" },
        { "c", [".."], "msg=\"invalid profile\" profile=\"..\"" },
        { "c", ["--bogus"], "msg=\"unknown option\" option=\"--bogus\"" },
        { "c", ["work", "--apikey", "sk-1"], "msg=\"--apikey takes no value" },
        { "c", ["--apikey-file"], "msg=\"--apikey-file requires a path\"" },
        { "c", ["work", "--resume"], "msg=\"--resume requires a session id\"" },
        { "c", ["work", "--resume="], "msg=\"--resume requires a session id\"" },
        { "c", ["work", "other"], "msg=\"unexpected argument\" arg=\"other\"" },
        { "c", [], "msg=\"a profile or --apikey is required\"" },
        { "cx", ["../x"], "msg=\"invalid codex profile\" profile=\"../x\"" },
        { "cx", ["--profile", "a/b"], "msg=\"invalid Codex config profile\" profile=\"a/b\"" },
        { "cx", ["-p"], "msg=\"-p requires a name\"" },
        { "cx", ["--profile="], "msg=\"--profile requires a name\"" },
        { "cx", ["-r"], "msg=\"-r requires a session id\"" },
        { "cx", ["--nope"], "msg=\"unknown option\" option=\"--nope\"" },
        { "g", ["a/../b"], "msg=\"invalid profile\" profile=\"a/../b\"" },
        { "g", ["-x"], "msg=\"unknown option\" option=\"-x\"" },
        { "claude-login", ["../../etc"], "msg=\"invalid profile\" profile=\"../../etc\"" },
        { "l", ["--what"], "msg=\"unknown option\" option=\"--what\"" },
        { "x", ["now"], "msg=\"unexpected argument\" arg=\"now\"" },

        // The project's one profile rule (ProfileName): what refresh-tokens and ai refuse, every launcher refuses.
        { "c", ["_work"], "msg=\"invalid profile\" profile=\"_work\"" },
        { "c", ["a..b"], "msg=\"invalid profile\" profile=\"a..b\"" },
        { "c", [LongName], $"msg=\"invalid profile\" profile=\"{LongName}\"" },
        { "cx", [".hidden"], "msg=\"invalid codex profile\" profile=\".hidden\"" },
        { "cx", [LongName], $"msg=\"invalid codex profile\" profile=\"{LongName}\"" },
        { "g", ["_work"], "msg=\"invalid profile\" profile=\"_work\"" },
        { "claude-login", ["a..b"], "msg=\"invalid profile\" profile=\"a..b\"" },
    };

    /// <summary>65 characters: one more than a profile name may have.</summary>
    private const string LongName = "x1234567890123456789012345678901234567890123456789012345678901234";

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Usage_errors_exit_2_with_one_fatal_line_and_leave_no_history(string command, string[] args, string expected)
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync(command, args);

        Assert.True(run.Result.ExitCode == 2, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains(expected, fatal);
        Assert.Contains("Usage:", run.Result.Stderr);
        Assert.Null(run.Agent);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Home));
    }

    [Fact]
    public async Task Corrupt_claude_json_template_stops_naming_the_file()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        var template = Path.Combine(box.ClaudeDir, "claude.json");
        File.WriteAllText(template, "{\"hasCompletedOnboarding\": tru");

        var run = await box.RunAsync("c", ["work"]);

        Assert.Equal(1, run.Result.ExitCode);
        var fatal = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains("msg=\"invalid Claude JSON template\"", fatal);
        Assert.Contains("path=" + template, fatal);
        Assert.Null(run.Agent);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
    }

    [Fact]
    public async Task Invalid_profile_settings_stop_and_leave_the_previous_settings_untouched()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("alpha", LauncherSandbox.InHours(5));
        var home = Path.Combine(box.History, "2026", "08_Aug", "20_Thu_10-00_claude");
        Directory.CreateDirectory(Path.Combine(home, "projects", "-app"));
        File.WriteAllText(Path.Combine(home, "projects", "-app", "4444.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(home, ".profile"), "alpha\n");
        File.WriteAllText(Path.Combine(home, "settings.json"), "{\"previous\":true}");
        var profileSettings = Path.Combine(box.Settings, "claude_alpha", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(profileSettings)!);
        File.WriteAllText(profileSettings, "{not json");

        var run = await box.RunAsync("c", ["--resume", "4444"]);

        Assert.Equal(1, run.Result.ExitCode);
        var fatal = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains("msg=\"invalid Claude profile settings\"", fatal);
        Assert.Contains("path=" + profileSettings, fatal);
        Assert.Equal("{\"previous\":true}", File.ReadAllText(Path.Combine(home, "settings.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.Home));
    }

    [Fact]
    public async Task Missing_settings_files_are_reported_per_agent()
    {
        using var box = new LauncherSandbox(stub);

        var codex = await box.RunAsync("cx", ["alpha"]);
        Assert.Equal(1, codex.Result.ExitCode);
        Assert.Contains($"at=error msg=\"codex auth file not found\" path={box.Settings}/codex_alpha/auth.json", codex.Result.Stdout);
        Assert.Contains("codex-login alpha", codex.Result.Stdout);

        var gemini = await box.RunAsync("g", []);
        Assert.Equal(1, gemini.Result.ExitCode);
        Assert.Contains($"path={box.Settings}/gemini", gemini.Result.Stderr);

        // c without the profile's credentials still launches: claude asks to log in.
        var claude = await box.RunAsync("c", ["nobody"]);
        Assert.True(claude.Result.ExitCode == 0, claude.ToString());
        Assert.Contains("msg=\"no credentials for profile, claude will ask to log in\"", claude.Result.Stderr);
    }

    [Fact]
    public async Task A_named_pipe_at_the_sentry_token_is_one_fatal_line_not_a_wait()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        var token = Path.Combine(box.Settings, "sentry.token");
        var make = await TestSupport.Run.ProcessAsync("/usr/bin/mkfifo", [token]);
        Assert.True(make.ExitCode == 0, make.ToString());

        var run = await box.RunAsync("c", ["work"]);

        Assert.True(run.Result.ExitCode == 1, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Equal($"at=fatal msg=\"cannot read the Sentry MCP settings\" path={token} reason=\"is a named pipe\"", fatal);
        Assert.DoesNotContain("Unhandled", run.Result.Stderr, StringComparison.Ordinal);
        Assert.Null(run.Agent);
    }

    [Fact]
    public async Task Profile_settings_with_a_duplicate_key_are_one_fatal_line()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        var profileSettings = Path.Combine(box.Settings, "claude_work", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(profileSettings)!);
        File.WriteAllText(profileSettings, "{\"env\":{\"A\":\"1\"},\"env\":{\"A\":\"2\"}}");

        var run = await box.RunAsync("c", ["work"]);

        Assert.True(run.Result.ExitCode == 1, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Equal($"at=fatal msg=\"invalid Claude profile settings\" path={profileSettings} reason=\"duplicate key in a JSON object\"", fatal);
        Assert.DoesNotContain("Unhandled", run.Result.Stderr, StringComparison.Ordinal);
        Assert.Null(run.Agent);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
    }

    [Fact]
    public async Task Invalid_ready_timeout_is_named()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env => env["AI_READY_TIMEOUT"] = "soon");

        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("AI_READY_TIMEOUT=soon", run.Result.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
    }
}
