using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// The podman command line through <c>--dry-run</c>, in-process, with the fake podman answering
/// <c>info</c> and <c>ps</c>. Numbers refer to the baseline's behaviors 1–40.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class GoldenArgvTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private Task<IReadOnlyList<string>> DryRunAsync(params string[] args) => _s.DryRunArgvAsync(args);

    [Fact]
    public async Task Bare_ai_is_the_baseline_command_with_naming_pull_never_sdnotify_and_loopback_publish()
    {
        // 2, 3, 4, 5, 8, 9, 31, 32, 38, 40
        var argv = await DryRunAsync();
        var ai = _s.AiDir;
        string[] expected =
        [
            "run", "--rm", "--interactive", "--tty",
            "--name", "ai-c-00-my-project", "--hostname", "ai-c-00-my-project",
            "--pull=never", "--stop-timeout=60", "--sdnotify=container",
            "--cap-add=NET_ADMIN", "--cap-add=NET_RAW", "--cap-add=SYS_PTRACE",
            "--env", "HOST_DIR=my-project",
            "--env", "HOST_WORKDIR=/host-workdir/my-project",
            "--env", "PORT=1337",
            "--volume", $"{ai}/bundle:/bundle",
            "--volume", $"{ai}/commandhistory:/commandhistory",
            "--volume", $"{ai}/history:/history",
            "--volume", $"{ai}/repos:/repos",
            "--volume", $"{ai}/settings:/settings",
            "--volume", $"{ai}/share:/share",
            "--volume", $"{_s.Repo}/claude:/claude:ro",
            "--volume", $"{_s.Project}:/app",
            "--volume", $"{_s.Project}:/host-workdir/my-project",
            "--workdir", "/app",
            "--publish", "127.0.0.1::1337",
            "--label", "cwd=~/src/my-project",
            "--label", "agent=",
            "--label", "project=my-project",
            "--label", "profile=",
            "ai:latest",
        ];
        Assert.Equal(expected, argv);
    }

    [Fact]
    public async Task Help_prints_usage_to_stdout_and_starts_no_podman()
    {
        // 1
        var result = await _s.InProcessAsync(["--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage: ai", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_s.Calls);
    }

    [Fact]
    public async Task Dry_run_creates_nothing_and_runs_nothing()
    {
        await DryRunAsync();
        Assert.False(Directory.Exists(_s.AiDir));
        Assert.DoesNotContain(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task AI_DIR_moves_every_host_directory()
    {
        // 7
        var other = Path.Combine(_s.Root, "elsewhere");
        _s.Env["AI_DIR"] = other;
        var argv = await DryRunAsync();
        foreach (var dir in new[] { "bundle", "commandhistory", "history", "repos", "settings", "share" })
        {
            Argv.HasPair(argv, "--volume", $"{other}/{dir}:/{dir}");
        }

        Assert.DoesNotContain(argv, a => a.Contains(Path.Combine(_s.Home, "ai"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task PORT_sets_the_env_and_the_loopback_random_publish()
    {
        // 10
        _s.Env["PORT"] = "4000";
        var argv = await DryRunAsync();
        Argv.HasPair(argv, "--env", "PORT=4000");
        Argv.HasPair(argv, "--publish", "127.0.0.1::4000");
    }

    [Theory]
    [InlineData("9999", new[] { "127.0.0.1:9999:9999" })] // 11
    [InlineData("8888:7777", new[] { "127.0.0.1:8888:7777" })] // 12
    [InlineData("9999,8888:7777", new[] { "127.0.0.1:9999:9999", "127.0.0.1:8888:7777" })] // 13
    [InlineData("0.0.0.0:8080:80", new[] { "0.0.0.0:8080:80" })]
    [InlineData("[::1]:8080:80", new[] { "[::1]:8080:80" })]
    [InlineData("65535", new[] { "127.0.0.1:65535:65535" })]
    public async Task Ports_publish_on_loopback_unless_an_address_is_named(string list, string[] publishes)
    {
        var argv = await DryRunAsync("--ports", list);
        Assert.Equal(["127.0.0.1::1337", .. publishes], Argv.Values(argv, "--publish"));
        var argv2 = await DryRunAsync("--ports=" + list);
        Assert.Equal(argv, argv2);
    }

    [Fact]
    public async Task Two_ports_options_add_up_in_order()
    {
        var argv = await DryRunAsync("--ports", "1", "--ports=2:3");
        Assert.Equal(["127.0.0.1::1337", "127.0.0.1:1:1", "127.0.0.1:2:3"], Argv.Values(argv, "--publish"));
    }

    [Fact]
    public async Task A_resume_id_that_looks_like_ports_is_the_id()
    {
        // Only --ports's own values are port lists: -r takes the next word whatever it looks like.
        var argv = await DryRunAsync("-r", "--ports", "--ports", "1");
        Argv.HasPair(argv, "--env", "CLAUDE_RESUME=--ports");
        Assert.Equal(["127.0.0.1::1337", "127.0.0.1:1:1"], Argv.Values(argv, "--publish"));
    }

    [Fact]
    public async Task Bare_claude_profile_passes_profile_auto_start_and_label()
    {
        // 18
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        var argv = await DryRunAsync("work");
        Argv.HasPair(argv, "--env", "CLAUDE_PROFILE=work");
        Argv.HasPair(argv, "--env", "CLAUDE_AUTO_START=1");
        Argv.HasPair(argv, "--label", "agent=claude");
        Argv.HasPair(argv, "--label", "profile=work");
        Argv.HasNoEnv(argv, "CODEX_AUTO_START");
    }

    [Theory]
    [InlineData("c")]
    [InlineData("claude")]
    public async Task Claude_agent_word_with_and_without_profile(string word)
    {
        // 40
        var argv = await DryRunAsync(word);
        Argv.HasPair(argv, "--env", "CLAUDE_AUTO_START=1");
        Argv.HasPair(argv, "--label", "agent=claude");
        Argv.HasNoEnv(argv, "CLAUDE_PROFILE");

        _s.AddClaudeProfile("alpha", DateTimeOffset.UtcNow.AddHours(5));
        argv = await DryRunAsync(word, "alpha");
        Argv.HasPair(argv, "--env", "CLAUDE_PROFILE=alpha");
    }

    [Theory]
    [InlineData("cx")]
    [InlineData("codex")]
    public async Task Codex_agent_word_passes_auto_start_and_label(string word)
    {
        // 19, 40
        var argv = await DryRunAsync(word);
        Argv.HasPair(argv, "--env", "CODEX_AUTO_START=1");
        Argv.HasPair(argv, "--label", "agent=codex");
        Argv.HasNoEnv(argv, "CLAUDE_AUTO_START");
        Argv.HasNoEnv(argv, "CODEX_PROFILE");
    }

    [Fact]
    public async Task Codex_profile_passes_CODEX_PROFILE()
    {
        // 20
        _s.AddCodexProfile("alpha");
        var argv = await DryRunAsync("cx", "alpha");
        Argv.HasPair(argv, "--env", "CODEX_PROFILE=alpha");
        Argv.HasNoEnv(argv, "CLAUDE_PROFILE");
    }

    [Theory]
    [InlineData("--resume", "abc")]
    [InlineData("-r", "abc")]
    [InlineData("--resume=abc")]
    public async Task Resume_alone_means_claude(params string[] args)
    {
        // 24, 26
        var argv = await DryRunAsync(args);
        Argv.HasPair(argv, "--env", "CLAUDE_RESUME=abc");
        Argv.HasPair(argv, "--label", "agent=claude");
        Argv.HasNoEnv(argv, "CODEX_RESUME");
    }

    [Fact]
    public async Task Codex_resume_is_CODEX_RESUME()
    {
        // 25
        var argv = await DryRunAsync("cx", "--resume", "abc");
        Argv.HasPair(argv, "--env", "CODEX_RESUME=abc");
        Argv.HasNoEnv(argv, "CLAUDE_RESUME");
    }

    [Fact]
    public async Task Options_may_come_anywhere()
    {
        _s.AddCodexProfile("alpha");
        var argv = await DryRunAsync("--fast", "cx", "--ports", "9999", "alpha", "--remote");
        Argv.HasPair(argv, "--env", "CODEX_PROFILE=alpha");
        Argv.HasPair(argv, "--env", "AI_FAST=1");
        Argv.HasPair(argv, "--env", "AI_REMOTE=1");
        Argv.HasPair(argv, "--publish", "127.0.0.1:9999:9999");
    }

    [Theory]
    [InlineData(null, "--remote", true)]
    [InlineData("yes", null, true)]
    [InlineData("TRUE", null, true)]
    [InlineData("on", null, true)]
    [InlineData("1", null, true)]
    [InlineData("0", null, false)]
    [InlineData("no", null, false)]
    public async Task Remote_and_fast_from_flag_or_truthy_env(string? env, string? flag, bool expected)
    {
        // 27, 28
        _s.Env["AI_REMOTE"] = env;
        _s.Env["AI_FAST"] = env;
        var argv = await DryRunAsync(flag is null ? [] : [flag, "--fast"]);
        if (expected)
        {
            Argv.HasPair(argv, "--env", "AI_REMOTE=1");
            Argv.HasPair(argv, "--env", "AI_FAST=1");
        }
        else
        {
            Argv.HasNoEnv(argv, "AI_REMOTE");
            Argv.HasNoEnv(argv, "AI_FAST");
        }
    }

    [Fact]
    public async Task Sandbox_knobs_are_forwarded_only_when_set()
    {
        var argv = await DryRunAsync();
        Argv.HasNoEnv(argv, "AI_SERVICES");
        Argv.HasNoEnv(argv, "AI_READY_TIMEOUT");
        _s.Env["AI_SERVICES"] = "postgresql,redis";
        _s.Env["AI_READY_TIMEOUT"] = "90";
        argv = await DryRunAsync();
        Argv.HasPair(argv, "--env", "AI_SERVICES=postgresql,redis");
        Argv.HasPair(argv, "--env", "AI_READY_TIMEOUT=90");
    }

    [Fact]
    public async Task Cwd_label_is_tilde_in_home_and_the_full_path_outside()
    {
        // 31
        var result = await _s.InProcessAsync(["--dry-run"], cwd: _s.Home);
        Argv.HasPair(Argv.FromDryRun(result.Stdout), "--label", "cwd=~");
        var outside = Path.Combine(_s.Root, "outside");
        Directory.CreateDirectory(outside);
        result = await _s.InProcessAsync(["--dry-run"], cwd: outside);
        Argv.HasPair(Argv.FromDryRun(result.Stdout), "--label", "cwd=" + outside);
    }

    [Fact]
    public async Task Name_skips_taken_names_even_of_stopped_containers()
    {
        // 38
        _s.Env["FAKE_PODMAN_PS_ALL"] = "ai-c-00-my-project\nai-c-01-my-project\nother";
        var argv = await DryRunAsync();
        Argv.HasPair(argv, "--name", "ai-c-02-my-project");
        Argv.HasPair(argv, "--hostname", "ai-c-02-my-project");
        Assert.Contains(_s.Calls, c => c.Command == "ps" && c.Args.Contains("--all"));
    }

    [Fact]
    public async Task Rootless_podman_maps_the_containers_root_to_the_user()
    {
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":false},"version":{"Version":"5.2.0"}}""";
        var argv = await DryRunAsync();
        Assert.Contains("--userns=host", argv);
        Assert.Contains("--sdnotify=container", argv);
    }

    [Fact]
    public async Task Rootful_podman_gets_no_userns()
    {
        var argv = await DryRunAsync();
        Assert.DoesNotContain(argv, a => a.StartsWith("--userns", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_remote_podman_client_gets_no_sdnotify()
    {
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":true},"version":{"Version":"5.2.0"}}""";
        var argv = await DryRunAsync();
        Assert.DoesNotContain("--sdnotify=container", argv);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("off")]
    public async Task AI_SDNOTIFY_off_drops_the_readiness_socket(string value)
    {
        _s.Env["AI_SDNOTIFY"] = value;
        var argv = await DryRunAsync();
        Assert.DoesNotContain("--sdnotify=container", argv);
    }

    [Fact]
    public async Task AI_IMAGE_and_extra_args_come_last()
    {
        _s.Env["AI_IMAGE"] = "localhost/ai-test:1";
        _s.Env["AI_PODMAN_EXTRA_ARGS"] = "--network host  --runtime runc";
        var argv = await DryRunAsync();
        Assert.Equal(["--network", "host", "--runtime", "runc", "localhost/ai-test:1"], argv.TakeLast(5));
    }

    [Fact]
    public async Task Paths_with_spaces_stay_single_arguments()
    {
        using var spaced = new Sandbox(podman, "my project (v2)");
        spaced.Env["AI_DIR"] = Path.Combine(spaced.Root, "ai data");
        var result = await spaced.InProcessAsync(["--dry-run"]);
        var argv = Argv.FromDryRun(result.Stdout);
        Argv.HasPair(argv, "--volume", $"{spaced.Project}:/app");
        Argv.HasPair(argv, "--volume", Path.Combine(spaced.Root, "ai data") + "/bundle:/bundle");
        Argv.HasPair(argv, "--env", "HOST_DIR=my project (v2)");
        Argv.HasPair(argv, "--name", "ai-c-00-my-project-v2");
    }

    [Fact]
    public async Task A_colon_in_a_path_switches_to_mount_syntax()
    {
        using var odd = new Sandbox(podman, "a:b,c");
        var result = await odd.InProcessAsync(["--dry-run"]);
        var argv = Argv.FromDryRun(result.Stdout);
        Argv.HasPair(argv, "--mount", $"type=bind,\"source={odd.Project}\",destination=/app");
        Argv.HasPair(argv, "--name", "ai-c-00-a-b-c");
    }

    [Fact]
    public async Task No_secret_reaches_argv()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        _s.AddCodexProfile("alpha");
        var argv = await DryRunAsync("work");
        Assert.DoesNotContain(argv, a => a.Contains("secret", StringComparison.Ordinal));
        argv = await DryRunAsync("cx", "alpha");
        Assert.DoesNotContain(argv, a => a.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dry_run_without_podman_warns_and_assumes_defaults()
    {
        _s.Env["PATH"] = "/nonexistent";
        var result = await _s.InProcessAsync(["--dry-run"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("podman not found", result.Stderr, StringComparison.Ordinal);
        Argv.HasPair(Argv.FromDryRun(result.Stdout), "--name", "ai-c-00-my-project");
    }
}
