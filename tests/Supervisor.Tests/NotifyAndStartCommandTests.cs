using AiSandbox.Supervisor.Tests.Fakes;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests;

/// <summary>sd_notify as systemd sees it, and the s command users type, against the same test systemd.</summary>
[Collection(SupervisorCollection.Name)]
public sealed class NotifyAndStartCommandTests(ServersFixture servers)
{
    [Fact]
    public async Task Sends_READY_first_then_a_STATUS_line_per_change_and_watchdog_pings()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis");
        using var notify = new NotifySocket(sandbox.Dir["notify.sock"]);
        sandbox.Env["NOTIFY_SOCKET"] = notify.Path;
        sandbox.Env["WATCHDOG_USEC"] = "200000";
        await using var supervisor = await sandbox.StartSupervisorAsync();

        await WaitUntilAsync(() => notify.Messages.Any(m => m.StartsWith("STATUS=postgresql ready", StringComparison.Ordinal) && m.Contains("redis ready", StringComparison.Ordinal)));
        await WaitUntilAsync(() => notify.Messages.Count(m => m == "WATCHDOG=1") >= 2);

        var messages = notify.Messages;
        var ready = messages.ToList().IndexOf("READY=1");
        Assert.True(ready >= 0, string.Join('\n', messages));
        var lastStatus = messages.Last(m => m.StartsWith("STATUS=", StringComparison.Ordinal));
        Assert.Matches(@"^STATUS=postgresql ready \d+\.\d\ds · lavinmq skipped · redis ready \d+\.\d\ds · bundle skipped$", lastStatus);
        Assert.DoesNotContain('\n', lastStatus);
    }

    [Fact]
    public async Task Watchdog_pings_stop_while_the_bus_does_not_answer_and_resume_when_it_does()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "redis");
        using var notify = new NotifySocket(sandbox.Dir["notify.sock"]);
        sandbox.Env["NOTIFY_SOCKET"] = notify.Path;
        sandbox.Env["WATCHDOG_USEC"] = "400000";
        await using var supervisor = await sandbox.StartSupervisorAsync();
        await WaitUntilAsync(() => Pings(notify) >= 2);

        // A hung bus connection is a hung supervisor: a ping must prove a round trip, so none goes out
        // between two failed proofs (counted from the second, once pings sent before the freeze have arrived).
        sandbox.Bus.Freeze();
        await WaitUntilAsync(() => Unanswered(supervisor) >= 2);
        var frozen = Pings(notify);
        var failed = Unanswered(supervisor);
        await WaitUntilAsync(() => Unanswered(supervisor) >= failed + 2);
        Assert.Equal(frozen, Pings(notify));

        sandbox.Bus.Thaw();
        await WaitUntilAsync(() => Pings(notify) > frozen);
    }

    [Fact]
    public async Task S_asks_the_supervisor_prints_progress_and_exits_zero_when_all_are_ready()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "redis");
        await using var supervisor = await sandbox.StartSupervisorAsync();

        // lavinmq and postgresql were not enabled at boot: s starts them.
        var result = await Run.CommandAsync("s", ["--timeout", "60"], sandbox.Env, timeout: TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result + "\n--- supervisor ---\n" + supervisor.Log);
        Assert.Matches(@"\+ postgresql +ready +\d+\.\d+s  accepting work", result.Stdout);
        Assert.Matches(@"\+ lavinmq +ready", result.Stdout);
        Assert.Matches(@"\+ bundle +skipped", result.Stdout);
        Assert.Contains("+ all services ready in ", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("no supervisor", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(("RestartUnit", Sandbox.PgUnit), sandbox.Systemd.Jobs);
    }

    [Fact]
    public async Task S_without_a_supervisor_starts_the_units_itself_and_names_a_failed_service()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis",
            redis: port => new ProcessUnit(Sandbox.RedisUnit, "redis-server", ["--port", $"{port}", "--no-such-option", "x"], port));

        var result = await Run.CommandAsync("s", [], sandbox.Env, timeout: TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"\+ postgresql +ready", result.Stdout);
        var error = Assert.Single(result.StderrLines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        Assert.Contains("service=redis", error, StringComparison.Ordinal);
        Assert.Contains("start job failed", error, StringComparison.Ordinal);
        Assert.Contains(("StartUnit", Sandbox.PgUnit), sandbox.Systemd.Jobs);
    }

    [Fact]
    public async Task S_help_and_bad_flags()
    {
        await Smoke.HelpExitsZeroWithUsageAsync("s");
        await Smoke.UnknownFlagIsNamedAsync("s", 2);
        var bad = await Run.CommandAsync("s", ["--timeout", "soon"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("option=\"--timeout\"", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bus_policy_file_is_accepted_by_dbus_daemon()
    {
        using var dir = new TempDir();
        var policy = Path.Combine(RepoPaths.Root, "units", "org.aisandbox.Supervisor1.conf");
        var socket = dir["bus.sock"];
        await File.WriteAllTextAsync(dir["bus.conf"], $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig><type>system</type><listen>unix:path={socket}</listen><auth>EXTERNAL</auth>
            <policy context="default"><allow user="*"/></policy><include>{policy}</include></busconfig>
            """);
        var psi = Run.Start("dbus-daemon", ["--config-file=" + dir["bus.conf"], "--nofork", "--nopidfile", "--print-address"]);
        using var daemon = System.Diagnostics.Process.Start(psi)!;
        var address = await daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        daemon.Kill();
        Assert.True(address?.StartsWith("unix:path=", StringComparison.Ordinal) == true, await daemon.StandardError.ReadToEndAsync());
    }

    private static int Pings(NotifySocket notify) => notify.Messages.Count(m => m == "WATCHDOG=1");

    private static int Unanswered(SupervisorProcess supervisor) =>
        supervisor.Lines.Count(l => l.Contains("msg=\"system bus did not answer, watchdog not fed\"", StringComparison.Ordinal));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30s");
            await Task.Delay(20);
        }
    }
}
