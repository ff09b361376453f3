using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Readiness;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.Launchers.Tests.Support;
using AiSandbox.TestSupport.Servers;

namespace AiSandbox.Launchers.Tests;

[CollectionDefinition(Name)]
public sealed class SupervisorBusCollection : ICollectionFixture<DbusServer>, ICollectionFixture<RedisServer>, ICollectionFixture<StubAgent>
{
    // One test at a time owns org.aisandbox.Supervisor1 on the shared private bus.
    public const string Name = "supervisor bus";
}

/// <summary>c's readiness wait against a test supervisor on the private dbus-daemon.</summary>
[Collection(SupervisorBusCollection.Name)]
public sealed class ReadinessTests(DbusServer bus, RedisServer redis, StubAgent stub)
{
    private static async Task<(ReadinessResult Result, string Output, List<ReadinessSnapshot> Seen)> WaitAsync(string address, TimeSpan timeout)
    {
        var output = new StringWriter();
        var log = new LogfmtLog(output, null);
        var seen = new List<ReadinessSnapshot>();
        var env = new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = address, ["AI_SERVICES"] = "none", ["AI_SUPERVISOR_CONFIG"] = "/nonexistent/config.json" };
        var client = new BootstrapReadiness(env, TimeProvider.System);
        var result = await client.WaitAsync(timeout, seen.Add, CancellationToken.None);
        var display = new ReadinessDisplay(output, terminal: false, log);
        seen.ForEach(display.Show);
        return (result, output.ToString(), seen);
    }

    [Fact]
    public async Task Ready_supervisor_returns_ready_with_every_service()
    {
        await using var supervisor = await TestSupervisor.StartAsync(bus.Address,
            TestSupervisor.Ready("postgresql", 1.0), TestSupervisor.Ready("lavinmq", 1.2), TestSupervisor.Ready("redis"), new ScriptedService("bundle", "skipped", "no Gemfile", 0));

        var (result, output, seen) = await WaitAsync(bus.Address, TimeSpan.FromSeconds(10));

        Assert.Equal(ReadinessOutcome.Ready, result.Outcome);
        Assert.Equal(["bundle", "lavinmq", "postgresql", "redis"], result.Last!.Services.Keys.Order(StringComparer.Ordinal));
        Assert.True(seen.Count >= 2, "progress is reported while services start");
        Assert.Contains("at=info msg=\"service starting\" service=postgresql", output);
        Assert.Contains("at=info msg=\"service ready\" service=postgresql", output);
    }

    [Fact]
    public async Task A_settled_supervisor_is_one_report_not_two()
    {
        await using var supervisor = await TestSupervisor.StartAsync(bus.Address, TestSupervisor.Ready("redis"), new ScriptedService("bundle", "skipped", "no Gemfile", 0));

        var (result, _, seen) = await WaitAsync(bus.Address, TimeSpan.FromSeconds(10));

        Assert.Equal(ReadinessOutcome.Ready, result.Outcome);
        var only = Assert.Single(seen);
        Assert.Same(result.Last, only);
    }

    [Fact]
    public async Task C_without_a_bus_names_a_dead_service_and_launches()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env =>
        {
            env["AI_SERVICES"] = "redis";
            env["Supervisor__Redis__Address"] = "127.0.0.1:1";
            env["Supervisor__Redis__DeadlineSeconds"] = "1";
        });

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Contains("msg=\"no supervisor on the bus, probed the services directly\"", run.Result.Stderr);
        var warning = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=warn", StringComparison.Ordinal));
        Assert.Contains("service=redis state=failed", warning);
    }

    [Fact]
    public async Task C_launches_when_ready_and_shows_progress()
    {
        await using var supervisor = await TestSupervisor.StartAsync(bus.Address, TestSupervisor.Ready("postgresql", 0.3), TestSupervisor.Ready("redis"));
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env => env["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Contains("msg=\"service ready\" service=postgresql", run.Result.Stderr);
        Assert.DoesNotContain("at=warn", run.Result.Stderr);
        Assert.True(supervisor.WaitReadyCalls >= 1);
    }

    [Fact]
    public async Task C_warns_about_a_failed_service_and_launches_anyway()
    {
        await using var supervisor = await TestSupervisor.StartAsync(bus.Address,
            TestSupervisor.Ready("postgresql"), TestSupervisor.Failed("redis", "connection refused on 127.0.0.1:6379", 0.2));
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env => env["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.NotNull(run.Agent);
        var warning = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=warn", StringComparison.Ordinal));
        Assert.Contains("service=redis", warning);
        Assert.Contains("state=failed", warning);
        Assert.Contains("reason=\"connection refused on 127.0.0.1:6379\"", warning);
    }

    [Fact]
    public async Task C_stops_waiting_at_AI_READY_TIMEOUT_names_the_slow_service_and_launches()
    {
        await using var supervisor = await TestSupervisor.StartAsync(bus.Address, TestSupervisor.Ready("postgresql"), TestSupervisor.Never("lavinmq"));
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var run = await box.RunAsync("c", ["work"], env =>
        {
            env["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address;
            env["AI_READY_TIMEOUT"] = "1.5";
        });

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.NotNull(run.Agent);
        Assert.InRange(started.Elapsed.TotalSeconds, 1.4, 60);
        Assert.Contains("msg=\"services not ready in time, launching anyway\" timeout=1.5s", run.Result.Stderr);
        var slow = Assert.Single(run.Result.StderrLines, l => l.Contains("service=lavinmq", StringComparison.Ordinal) && l.StartsWith("at=warn", StringComparison.Ordinal));
        Assert.Contains("state=starting", slow);
        Assert.Contains("reason=\"probing\"", slow);
    }

    [Fact]
    public async Task C_without_a_supervisor_probes_the_services_itself_and_launches()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env =>
        {
            env["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address;
            env["AI_SERVICES"] = "redis";
            env["Supervisor__Redis__Address"] = redis.Address;
        });

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Contains("msg=\"no supervisor on the bus, probed the services directly\"", run.Result.Stderr);
        Assert.Contains("msg=\"service ready\" service=redis", run.Result.Stderr);
        Assert.DoesNotContain("at=warn", run.Result.Stderr);
    }

    [Fact]
    public async Task C_without_a_supervisor_and_without_its_probe_helper_warns_and_launches()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env => env["AI_START_COMMAND"] = "/nonexistent/ai-start");

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        var warning = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=warn", StringComparison.Ordinal));
        Assert.Contains("msg=\"readiness check failed, launching anyway\"", warning);
    }

    [Fact]
    public async Task A_probe_helper_that_hangs_is_killed_at_the_deadline_and_c_launches()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));
        var pidFile = Path.Combine(box.Root, "helper.pid");
        var helper = Path.Combine(box.Root, "hanging-ai-start");
        File.WriteAllText(helper, $"#!/bin/sh\necho $$ > {pidFile}\nexec sleep 600\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var run = await box.RunAsync("c", ["work"], env =>
        {
            env["AI_START_COMMAND"] = helper;
            env["AI_READY_TIMEOUT"] = "0.2";
        });

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Contains("msg=\"services not ready in time, launching anyway\"", run.Result.Stderr);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal),
            $"the helper {pid} outlived the launch");
    }

    [Fact]
    public async Task Cx_waits_too()
    {
        await using var supervisor = await TestSupervisor.StartAsync(bus.Address, TestSupervisor.Failed("postgresql", "initdb failed"));
        using var box = new LauncherSandbox(stub);
        Directory.CreateDirectory(Path.Combine(box.Settings, "codex"));
        File.WriteAllText(Path.Combine(box.Settings, "codex", "auth.json"), "{}");

        var run = await box.RunAsync("cx", [], env => env["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Contains("service=postgresql state=failed reason=\"initdb failed\"", run.Result.Stderr);
    }

    [Fact]
    public void Terminal_display_redraws_one_line_per_service()
    {
        var output = new StringWriter();
        var display = new ReadinessDisplay(output, terminal: true, new LogfmtLog(TextWriter.Null, null));
        var services = new Dictionary<string, ServiceStatus>
        {
            ["postgresql"] = new("starting", "probing", 0.5),
            ["redis"] = new("ready", "", 0.1),
        };
        display.Show(new ReadinessSnapshot("starting", services));
        services["postgresql"] = new("ready", "", 1.2);
        display.Show(new ReadinessSnapshot("ready", services));

        var text = output.ToString();
        Assert.Contains("postgresql  starting    0.5s  probing", text);
        Assert.Contains("\e[2A", text);
        Assert.Contains("postgresql  ready       1.2s", text);
    }

    [Fact]
    public void Terminal_display_keeps_counting_a_starting_service_between_snapshots_and_stops_once_all_settled()
    {
        var output = new StringWriter();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var display = new ReadinessDisplay(output, terminal: true, new LogfmtLog(TextWriter.Null, null), time);
        using var ticking = display.StartTicking();
        var services = new Dictionary<string, ServiceStatus>
        {
            ["lavinmq"] = new("starting", "probing", 1.0),
            ["redis"] = new("ready", "", 0.1),
        };
        display.Show(new ReadinessSnapshot("starting", services));

        time.Advance(TimeSpan.FromSeconds(2));

        var text = output.ToString();
        Assert.Contains("lavinmq  starting    3.0s  probing", text);
        Assert.DoesNotContain("redis    ready       2.1s", text);

        services["lavinmq"] = new("ready", "", 3.4);
        display.Show(new ReadinessSnapshot("ready", services));
        var settled = output.ToString().Length;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(settled, output.ToString().Length);
    }

    [Fact]
    public void Plain_display_has_no_ticker()
    {
        var display = new ReadinessDisplay(new StringWriter(), terminal: false, new LogfmtLog(TextWriter.Null, null));
        Assert.Null(display.StartTicking());
    }
}
