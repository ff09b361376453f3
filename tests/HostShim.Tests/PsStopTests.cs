using AiSandbox.HostShim.Sandboxes;
using AiSandbox.HostShim.Tests.FakePodman;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.HostShim.Tests;

/// <summary><c>ai ps</c> and <c>ai stop</c>: podman's JSON and busctl's answer in, one line per sandbox out; the podman calls they make.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class PsStopTests(FakePodmanBinary podman) : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private static string PsJson(params (string Name, string? Project, long StartedAt, string Ports)[] containers) =>
        "[" + string.Join(',', containers.Select(c =>
            $$"""{"Names":["{{c.Name}}"],"StartedAt":{{c.StartedAt}},"Labels":{{(c.Project is null ? "null" : $$"""{"cwd":"~/src/{{c.Project}}","agent":"claude","project":"{{c.Project}}","profile":"work"}""")}},"Ports":{{c.Ports}},"State":"running"}""")) + "]";

    private const string ReadyAnswer = """{"type":"a{sv}","data":[{"State":{"type":"s","data":"ready"},"Services":{"type":"a{s(ssd)}","data":{"postgresql":["ready","accepting work",0.12],"redis":["ready","accepting work",0.05],"bundle":["skipped","no Gemfile",0]}}}]}""";

    [Fact]
    public void Podman_json_becomes_entries_sorted_by_name_with_labels_uptime_and_every_published_port()
    {
        var json = PsJson(
            ("ai-c-01-beta", "beta", Now.AddSeconds(-75).ToUnixTimeSeconds(), """[{"host_ip":"127.0.0.1","container_port":1337,"host_port":41234,"range":1,"protocol":"tcp"},{"host_ip":"","container_port":8000,"host_port":9000,"range":2,"protocol":"udp"}]"""),
            ("ai-c-00-alpha", null, 0, "null"));
        var list = SandboxList.Parse(json);
        Assert.Equal(["ai-c-00-alpha", "ai-c-01-beta"], list.Select(e => e.Name));
        Assert.Equal(new SandboxEntry("ai-c-00-alpha", "", "", "", null, []), list[0] with { Ports = [] });
        Assert.Equal(("beta", "claude", "work"), (list[1].Project, list[1].Agent, list[1].Profile));
        Assert.Equal(Now.AddSeconds(-75), list[1].StartedAt);
        Assert.Equal(["127.0.0.1:41234->1337/tcp", "0.0.0.0:9000->8000/udp", "0.0.0.0:9001->8001/udp"], list[1].Ports);
        Assert.Empty(SandboxList.Parse(""));
        Assert.Empty(SandboxList.Parse("[]"));
    }

    [Theory]
    [InlineData(0, ReadyAnswer, "", "ready")]
    [InlineData(0, """{"type":"a{sv}","data":[{"State":{"type":"s","data":"starting"},"Services":{"type":"a{s(ssd)}","data":{}}}]}""", "", "starting")]
    [InlineData(0, """{"type":"a{sv}","data":[{"State":{"type":"s","data":"degraded"},"Services":{"type":"a{s(ssd)}","data":{"redis":["failed","start job failed",1.5],"postgresql":["ready","accepting work",0.1],"bundle":["failed","bundle install exited 5",9]}}}]}""", "", "degraded(bundle,redis)")]
    [InlineData(1, "", "Call failed: The name org.aisandbox.Supervisor1 was not provided by any .service files", "starting")]
    [InlineData(1, "", "Failed to connect to bus: No such file or directory", "starting")]
    [InlineData(1, "", "Call failed: Access denied", "unknown")]
    [InlineData(125, "", "Error: can only create exec sessions on running containers: container state improper", "unknown")]
    [InlineData(127, "", "Error: crun: executable file `busctl` not found in $PATH", "unknown")]
    [InlineData(0, "not json", "", "unknown")]
    [InlineData(0, """{"type":"a{sv}","data":[{"State":{"type":"s","data":"sideways"}}]}""", "", "unknown")]
    public void Busctl_answers_become_one_readiness_word(int exit, string stdout, string stderr, string expected) =>
        Assert.Equal(expected, SandboxReadiness.Describe(exit, stdout, stderr));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m00s")]
    [InlineData(3599, "59m59s")]
    [InlineData(3600 + 7 * 60, "1h07m")]
    [InlineData(86400 * 3 + 4 * 3600, "3d04h")]
    [InlineData(-5, "0s")]
    public void Uptime_is_short_and_exact_to_its_largest_two_units(int seconds, string expected) =>
        Assert.Equal(expected, SandboxTable.Uptime(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_table_has_a_header_then_one_line_per_sandbox_in_aligned_columns()
    {
        var entries = new[]
        {
            new SandboxEntry("ai-c-00-alpha", "alpha", "claude", "work", Now.AddSeconds(-42), ["127.0.0.1:41234->1337/tcp", "127.0.0.1:5672->5672/tcp"]),
            new SandboxEntry("ai-c-01-a-much-longer-project", "a-much-longer-project", "", "", null, []),
        };
        var lines = SandboxTable.Format(entries, ["ready", "degraded(redis)"], Now).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^NAME +PROJECT +AGENT +PROFILE +UPTIME +PORTS +READINESS$", lines[0]);
        Assert.Matches(@"^ai-c-00-alpha +alpha +claude +work +42s +127\.0\.0\.1:41234->1337/tcp,127\.0\.0\.1:5672->5672/tcp +ready$", lines[1]);
        Assert.Matches(@"^ai-c-01-a-much-longer-project +a-much-longer-project +- +- +- +- +degraded\(redis\)$", lines[2]);
        Assert.Equal(lines[0].IndexOf("READINESS", StringComparison.Ordinal), lines[1].IndexOf("ready", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ps_asks_podman_once_for_the_sandboxes_and_each_sandbox_supervisor_over_its_bus()
    {
        _s.Env["FAKE_PODMAN_PS"] = PsJson(("ai-c-00-alpha", "alpha", Now.AddMinutes(-3).ToUnixTimeSeconds(), "[]"), ("ai-c-01-beta", "beta", Now.AddMinutes(-1).ToUnixTimeSeconds(), "[]"));
        _s.Env["FAKE_PODMAN_EXEC"] = ReadyAnswer;
        var time = new FakeTimeProvider(Now);
        var result = await _s.InProcessAsync(["ps"], time: time);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^ai-c-00-alpha +alpha +claude +work +3m00s +- +ready$", lines[1]);
        Assert.Matches(@"^ai-c-01-beta +beta +claude +work +1m00s +- +ready$", lines[2]);
        var ps = Assert.Single(_s.Calls, c => c.Command == "ps");
        Assert.Equal(["ps", "--filter", "name=^ai-c-", "--format", "json"], ps.Args);
        var execs = _s.Calls.Where(c => c.Command == "exec").Select(c => c.Args[1]).Order().ToList();
        Assert.Equal(["ai-c-00-alpha", "ai-c-01-beta"], execs);
        Assert.Equal(SandboxReadiness.ExecArguments("ai-c-00-alpha"), _s.Calls.First(c => c.Command == "exec" && c.Args[1] == "ai-c-00-alpha").Args);
    }

    [Fact]
    public async Task Ps_with_nothing_running_prints_the_header_and_exits_0()
    {
        var result = await _s.InProcessAsync(["ps"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(SandboxTable.Format([], [], Now), result.Stdout);
        Assert.DoesNotContain(_s.Calls, c => c.Command == "exec");
    }

    [Theory]
    [InlineData("extra", "unexpected argument")]
    [InlineData("--all", "unknown option")]
    public async Task Ps_refuses_anything_else_with_one_line_and_exit_2(string arg, string message)
    {
        var result = await _s.InProcessAsync(["ps", arg]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"at=fatal msg=\"{message}\"", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_s.Calls);
    }

    [Fact]
    public async Task Stop_all_stops_every_sandbox_with_the_launch_stop_budget_and_says_so()
    {
        _s.Env["FAKE_PODMAN_PS"] = PsJson(("ai-c-00-alpha", "alpha", 1, "[]"), ("ai-c-01-beta", "beta", 1, "[]"));
        var result = await _s.InProcessAsync(["stop", "--all"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["stopped ai-c-00-alpha", "stopped ai-c-01-beta"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var stops = _s.Calls.Where(c => c.Command == "stop").Select(c => string.Join(' ', c.Args)).Order().ToList();
        Assert.Equal(["stop --time 60 ai-c-00-alpha", "stop --time 60 ai-c-01-beta"], stops);
    }

    [Fact]
    public async Task Stop_by_name_stops_only_that_one()
    {
        _s.Env["FAKE_PODMAN_PS"] = PsJson(("ai-c-00-alpha", "alpha", 1, "[]"), ("ai-c-01-beta", "beta", 1, "[]"));
        var result = await _s.InProcessAsync(["stop", "ai-c-01-beta"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("stopped ai-c-01-beta\n", result.Stdout);
        Assert.Equal(["stop --time 60 ai-c-01-beta"], _s.Calls.Where(c => c.Command == "stop").Select(c => string.Join(' ', c.Args)));
    }

    [Fact]
    public async Task Stop_of_a_name_that_is_no_running_sandbox_stops_nothing_and_exits_1()
    {
        _s.Env["FAKE_PODMAN_PS"] = PsJson(("ai-c-00-alpha", "alpha", 1, "[]"));
        var result = await _s.InProcessAsync(["stop", "ai-c-00-alpha", "postgres"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("at=fatal msg=\"not a running sandbox\" name=\"postgres\"\n", result.Stderr);
        Assert.DoesNotContain(_s.Calls, c => c.Command == "stop");
    }

    [Fact]
    public async Task Stop_reports_a_failed_podman_stop_and_exits_1()
    {
        _s.Env["FAKE_PODMAN_PS"] = PsJson(("ai-c-00-alpha", "alpha", 1, "[]"));
        _s.Env["FAKE_PODMAN_EXIT"] = "125";
        var result = await _s.InProcessAsync(["stop", "ai-c-00-alpha"]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("at=error msg=\"podman stop failed\" name=\"ai-c-00-alpha\" exit=125", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Stop_all_with_nothing_running_says_so_and_exits_0()
    {
        var result = await _s.InProcessAsync(["stop", "--all"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("msg=\"no sandbox running\"", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "name a sandbox or pass --all")]
    [InlineData(new[] { "--all", "ai-c-00-x" }, "--all takes no names")]
    [InlineData(new[] { "--time", "5" }, "unknown option")]
    public async Task Stop_needs_names_or_all_but_not_both(string[] args, string message)
    {
        var result = await _s.InProcessAsync(["stop", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"at=fatal msg=\"{message}\"", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_s.Calls);
    }
}
