using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

public sealed class CodexLaunchTests(StubAgent stub) : IClassFixture<StubAgent>
{
    private static string WriteAuth(LauncherSandbox box, string? profile, string content = """{"tokens":{"access_token":"a0"}}""")
    {
        var dir = Path.Combine(box.Settings, profile is null ? "codex" : "codex_" + profile);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "auth.json");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Runs_codex_as_a_child_syncs_auth_back_and_exits_with_its_code()
    {
        using var box = new LauncherSandbox(stub);
        var shared = WriteAuth(box, "alpha", """{"tokens":{"access_token":"a0","refresh_token":"r0"},"last_refresh":"2026-08-20T09:00:00.000000Z"}""");
        const string refreshed = """{"tokens":{"access_token":"refreshed","refresh_token":"r1"},"last_refresh":"2026-08-20T10:00:00.000000Z"}""";

        var run = await box.RunAsync("cx", ["alpha"], env =>
        {
            env["STUB_EXIT"] = "7";
            env["STUB_WRITE_AUTH"] = refreshed;
            env["HOST_DIR"] = "proj";
        });

        Assert.True(run.Result.ExitCode == 7, run.ToString());
        var agent = run.Ran;
        Assert.NotEqual(run.Pid, agent.Pid);
        Assert.EndsWith("/codex", agent.Argv0);
        var session = Assert.Single(box.SessionHomes("codex"));
        Assert.Equal(session, agent.LinkTarget(".codex"));
        var statusCwd = Path.Combine(box.Home, "proj [alpha]");
        Assert.Equal(["--cd", statusCwd, "--dangerously-bypass-approvals-and-sandbox", "--search"], agent.Args);
        Assert.Equal(box.App, agent.Cwd);
        Assert.Contains(".codex/auth.json", agent.Files);
        Assert.Contains(".codex/config.toml", agent.Files);
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(session, ".profile")));
        Assert.Equal(refreshed, File.ReadAllText(shared));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(shared));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(session, "auth.json")));
        // The temporary links are gone once codex exited.
        Assert.False(File.Exists(statusCwd) || Directory.Exists(statusCwd));

        var config = File.ReadAllText(Path.Combine(session, "config.toml"));
        Assert.Contains("approval_policy = \"never\"", config);
        Assert.Contains("sandbox_mode = \"danger-full-access\"", config);
        Assert.Contains("check_for_update_on_startup = false", config);
        Assert.Contains("notifications = false", config);
        Assert.Contains("status_line = [\"current-dir\", \"git-branch\", \"model-with-reasoning\", \"context-used\", \"thread-id\"]", config);
        Assert.Contains($"[projects.\"{box.App}\"]\ntrust_level = \"trusted\"", config);
    }

    [Fact]
    public async Task Config_profile_is_installed_and_passed()
    {
        using var box = new LauncherSandbox(stub);
        WriteAuth(box, "alpha");
        File.WriteAllText(Path.Combine(box.Settings, "codex_alpha", "work.config.toml"), "model = \"x\"\n");

        var run = await box.RunAsync("cx", ["alpha", "--profile", "work"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(["--profile", "work"], run.Ran.Args.Take(2));
        var session = box.SessionHomes("codex")[0];
        Assert.Equal("model = \"x\"\n", File.ReadAllText(Path.Combine(session, "work.config.toml")));
        Assert.Equal("work\n", File.ReadAllText(Path.Combine(session, ".config_profile")));

        var missing = await box.RunAsync("cx", ["alpha", "-p", "nope"]);
        Assert.Equal(1, missing.Result.ExitCode);
        Assert.Contains("msg=\"codex config profile not found\"", missing.Result.Stderr);
    }

    [Fact]
    public async Task Resume_finds_rollouts_by_uuid_and_by_session_meta()
    {
        using var box = new LauncherSandbox(stub);
        WriteAuth(box, "alpha");
        var home = Path.Combine(box.History, "2026", "08_Aug", "20_Thu_10-00_codex");
        var day = Path.Combine(home, "sessions", "2026", "08", "20");
        Directory.CreateDirectory(day);
        File.WriteAllText(Path.Combine(day, "rollout-2026-08-20T10-00-00-11112222-aaaa-4bbb-8ccc-123456789abc.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(day, "rollout-legacy.jsonl"), """{"type":"session_meta","payload":{"id":"legacy-session-9"}}""" + "\n");
        File.WriteAllText(Path.Combine(home, ".profile"), "alpha\n");

        var byUuid = await box.RunAsync("cx", ["--resume", "11112222"]);
        Assert.True(byUuid.Result.ExitCode == 0, byUuid.ToString());
        Assert.Equal(["resume", "11112222-aaaa-4bbb-8ccc-123456789abc"], byUuid.Ran.Args.TakeLast(2));
        Assert.Equal(home, byUuid.Ran.LinkTarget(".codex"));

        var byMeta = await box.RunAsync("cx", ["-r", "legacy"]);
        Assert.True(byMeta.Result.ExitCode == 0, byMeta.ToString());
        Assert.Equal(["resume", "legacy-session-9"], byMeta.Ran.Args.TakeLast(2));

        var none = await box.RunAsync("cx", ["-r", "zzz"]);
        Assert.Equal(1, none.Result.ExitCode);
        Assert.Contains("msg=\"no codex session matching resume id\" resume=\"zzz\"", none.Result.Stderr);
    }
}
