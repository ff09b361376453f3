using System.Diagnostics;
using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>The published NativeAOT <c>ai</c> (artifacts/bin/ai) as a user runs it, with the fake podman on PATH.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class PublishedBinaryTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task Runs_podman_with_the_dry_run_argv_after_creating_every_mount_source()
    {
        var dry = await _s.PublishedAsync(["--dry-run"]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        File.Delete(_s.PodmanLog);

        var result = await _s.PublishedAsync([]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Argv.FromDryRun(dry.Stdout), _s.RunCall.Args);
        // 6: the host directories exist before podman runs, settings/dotfiles included, private to the user.
        foreach (var dir in new[] { "bundle", "commandhistory", "history", "repos", "settings", "settings/dotfiles", "share" })
        {
            Assert.True(Directory.Exists(Path.Combine(_s.AiDir, dir)), dir);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(_s.AiDir, "settings")));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("42", 42)]
    [InlineData("125", 125)]
    public async Task Exits_with_podmans_exit_code(string code, int expected)
    {
        // 37
        _s.Env["FAKE_PODMAN_EXIT"] = code;
        var result = await _s.PublishedAsync([]);
        Assert.True(result.ExitCode == expected, result.ToString());
    }

    [Theory]
    [InlineData("125", true)]
    [InlineData("126", true)]
    [InlineData("1", false)]
    public async Task Podman_failing_to_start_the_sandbox_gets_a_hint(string code, bool hint)
    {
        _s.Env["FAKE_PODMAN_EXIT"] = code;
        var result = await _s.PublishedAsync([]);
        Assert.Equal(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture), result.ExitCode);
        Assert.Equal(hint, result.Stderr.Contains("at=error msg=\"podman could not start the sandbox\"", StringComparison.Ordinal));
        if (hint)
        {
            Assert.Contains("build_image", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("keyring", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Podman_gets_the_terminal_streams()
    {
        _s.Env["FAKE_PODMAN_ECHO"] = "1";
        var result = await _s.PublishedAsync([], stdin: "hello sandbox\n");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("echo:hello sandbox", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("fake podman stderr", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SIGINT_to_ai_is_forwarded_to_podman_and_its_exit_code_returned()
    {
        using var process = await StartWaitingAsync();
        await SignalAsync(process, "INT");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(128 + 2, process.ExitCode);
        Assert.Equal([2], _s.RunCall.Signals);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public async Task SIGTERM_and_SIGHUP_to_ai_stop_the_container_instead_of_reaching_systemd(string signal)
    {
        using var process = await StartWaitingAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await SignalAsync(process, signal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        // podman run never saw the signal (its proxy would hand it to systemd); podman stop ended the container.
        Assert.Empty(_s.RunCall.Signals);
        var stop = Assert.Single(_s.Calls, c => c.Command == "stop");
        Assert.Equal(["stop", "--ignore", "ai-c-00-my-project"], stop.Args);
        Assert.Contains("at=info msg=\"stopping the sandbox\" name=ai-c-00-my-project signal=", await stderr, StringComparison.Ordinal);
    }

    private async Task<Process> StartWaitingAsync()
    {
        var ready = Path.Combine(_s.Root, "ready");
        _s.Env["FAKE_PODMAN_WAIT_SIGNAL"] = "1";
        _s.Env["FAKE_PODMAN_READY_FILE"] = ready;
        var psi = Run.Start(RepoPaths.Binary("ai"), [], _s.Env, _s.Project);
        var process = Process.Start(psi)!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(ready))
        {
            Assert.True(DateTime.UtcNow < deadline, "the fake podman never started");
            await Task.Delay(20);
        }

        return process;
    }

    private static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    [Fact]
    public async Task Reports_sandbox_ready_when_systemd_inside_sends_READY()
    {
        _s.Env["FAKE_PODMAN_NOTIFY"] = "1";
        var result = await _s.PublishedAsync([]);
        Assert.Equal(0, result.ExitCode);
        var call = _s.RunCall;
        Assert.Contains("--sdnotify=container", call.Args);
        Assert.StartsWith("/tmp/ai-notify-", call.NotifySocket, StringComparison.Ordinal);
        var line = Assert.Single(result.StderrLines, l => l.Contains("sandbox ready", StringComparison.Ordinal));
        Assert.Matches(@"^at=info msg=""sandbox ready"" name=ai-c-00-my-project seconds=\d+\.\d\d$", line);
        // The private socket directory goes away with the run.
        Assert.False(Directory.Exists(Path.GetDirectoryName(call.NotifySocket)));
    }

    [Fact]
    public async Task An_inherited_NOTIFY_SOCKET_never_reaches_podman_without_sdnotify()
    {
        _s.Env["NOTIFY_SOCKET"] = "/run/systemd/notify";
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":false},"serviceIsRemote":true},"version":{"Version":"4.3.1"}}""";
        var result = await _s.PublishedAsync([]);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("--sdnotify=container", _s.RunCall.Args);
        Assert.Equal("", _s.RunCall.NotifySocket);
    }

    [Fact]
    public async Task Without_READY_there_is_no_ready_line()
    {
        var result = await _s.PublishedAsync([]);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("sandbox ready", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Picks_the_next_name_when_ai_c_00_exists()
    {
        // 38
        _s.Env["FAKE_PODMAN_PS_ALL"] = "ai-c-00-my-project";
        var result = await _s.PublishedAsync([]);
        Assert.Equal(0, result.ExitCode);
        Argv.HasPair(_s.RunCall.Args, "--name", "ai-c-01-my-project");
        Argv.HasPair(_s.RunCall.Args, "--hostname", "ai-c-01-my-project");
    }

    [Fact]
    public async Task All_hundred_names_taken_is_fatal()
    {
        _s.Env["FAKE_PODMAN_PS_ALL"] = string.Join('\n', Enumerable.Range(0, 100).Select(n => $"ai-c-{n:00}-my-project"));
        var result = await _s.PublishedAsync([]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at=fatal msg=\"no available instance name\" project=my-project", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task Detects_rootless_podman_from_podman_info()
    {
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":false},"version":{"Version":"5.0.0"}}""";
        await _s.PublishedAsync([]);
        Assert.Contains("--userns=host", _s.RunCall.Args);
        Assert.Contains(_s.Calls, c => c.Args is ["info", "--format", "json"]);
    }

    [Fact]
    public async Task Missing_podman_names_what_to_install()
    {
        // An empty directory: the machine's own podman (if any) must never run from a test.
        var empty = Path.Combine(_s.Root, "empty-path");
        Directory.CreateDirectory(empty);
        _s.Env["PATH"] = empty;
        var result = await _s.PublishedAsync([]);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("install podman", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_never_starts_podman()
    {
        var result = await _s.PublishedAsync(["--ports=70000"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("at=fatal msg=\"invalid port spec\" spec=70000", Assert.Single(result.StderrLines));
        Assert.Empty(_s.Calls);
    }

    [Fact]
    public async Task Token_refresh_starts_the_container_once()
    {
        var state = Path.Combine(_s.Root, "state");
        Directory.CreateDirectory(state);
        _s.Env["FAKE_PODMAN_STATE"] = state;
        _s.Env["FAKE_PODMAN_LOGS"] = "at=info msg=\"token valid\"";

        var first = await _s.PublishedAsync(["token-refresh"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("msg=\"token-refresh container started\"", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("token valid", first.Stdout, StringComparison.Ordinal);
        var run = _s.RunCall;
        Assert.Equal(
            ["run", "--detach", "--name", "token-refresh", "--pull=never", "--stop-signal=SIGTERM", "--stop-timeout=45",
             .. ThisHostsFit(), "--env", "CREDENTIALS_DIR=/settings",
             "--volume", Path.Combine(_s.AiDir, "settings") + ":/settings", "ai:latest", "/usr/local/bin/refresh-tokens", "--daemon"],
            run.Args);
        Assert.Contains(_s.Calls, c => c.Args is ["rm", "--force", "token-refresh"]);

        var second = await _s.PublishedAsync(["token-refresh"]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("msg=\"token-refresh container is already running\"", second.Stderr, StringComparison.Ordinal);
        Assert.Single(_s.Calls, c => c.Command == "run");
        Assert.Single(_s.Calls, c => c.Command == "rm");

        // Gone (stopped and removed): started again.
        File.Delete(Path.Combine(state, "token-refresh"));
        var third = await _s.PublishedAsync(["token-refresh"]);
        Assert.Contains("msg=\"token-refresh container started\"", third.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, _s.Calls.Count(c => c.Command == "run"));
    }

    [Fact]
    public async Task Ps_lists_the_sandboxes_podman_names_with_their_supervisor_readiness()
    {
        _s.Env["FAKE_PODMAN_PS"] = """[{"Names":["ai-c-00-my-project"],"StartedAt":1700000000,"Labels":{"project":"my-project","agent":"claude","profile":"work"},"Ports":[]}]""";
        _s.Env["FAKE_PODMAN_EXEC"] = """{"type":"a{sv}","data":[{"State":{"type":"s","data":"ready"},"Services":{"type":"a{s(ssd)}","data":{}}}]}""";
        var result = await _s.PublishedAsync(["ps"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^ai-c-00-my-project +my-project +claude +work +\S+ +- +ready$", result.Stdout);
        Assert.Equal(["ps", "--filter", "name=^ai-c-", "--format", "json"], _s.Calls[0].Args);
        Assert.Equal("ai-c-00-my-project", Assert.Single(_s.Calls, c => c.Command == "exec").Args[1]);
    }

    [Fact]
    public async Task Exec_last_uses_the_latest_container_and_bash()
    {
        _s.Env["FAKE_PODMAN_PS"] = """[{"Names":["ai-c-01-old"],"Created":1700000000},{"Names":["ai-c-03-my-project"],"Created":1700000500},{"Names":["token-refresh"],"Created":1600000000}]""";
        var result = await _s.PublishedAsync(["exec"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["exec", "--interactive", "--tty", "ai-c-03-my-project", "bash"], _s.Calls[^1].Args);
        await _s.PublishedAsync(["exec", "last", "psql", "-c", "select 1"]);
        Assert.Equal(["exec", "--interactive", "--tty", "ai-c-03-my-project", "psql", "-c", "select 1"], _s.Calls[^1].Args);
    }

    [Fact]
    public async Task Exec_by_name_with_a_command_and_its_exit_code()
    {
        _s.Env["FAKE_PODMAN_EXIT"] = "3";
        var result = await _s.PublishedAsync(["exec", "ai-c-00-x", "ls", "-l"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["exec", "--interactive", "--tty", "ai-c-00-x", "ls", "-l"], Assert.Single(_s.Calls).Args);
    }

    [Fact]
    public async Task Exec_leaves_the_commands_own_help_to_the_command()
    {
        var result = await _s.PublishedAsync(["exec", "ai-c-00-x", "grep", "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["exec", "--interactive", "--tty", "ai-c-00-x", "grep", "--help"], Assert.Single(_s.Calls).Args);
        Assert.DoesNotContain("Usage:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_last_without_containers_is_fatal()
    {
        var result = await _s.PublishedAsync(["exec"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at=fatal msg=\"no running container\"", result.Stderr, StringComparison.Ordinal);
    }

    // The published binary reads this machine's own limits: what it adds for the fake's rootful, local podman.
    private static IReadOnlyList<string> ThisHostsFit() =>
        AiSandbox.HostShim.Podman.HostFit.Arguments(new AiSandbox.HostShim.Podman.PodmanFacts(false, false, "4.3.1"),
            AiSandbox.HostShim.Podman.HostFacts.FromProcess(Environment.GetEnvironmentVariable));
}
