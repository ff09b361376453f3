using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.Supervisor.Tests.Fakes;
using AiSandbox.TestSupport;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor.Tests;

/// <summary>
/// The published ai-supervisor on a private bus, against the test systemd whose units run real
/// PostgreSQL, RabbitMQ and Redis servers.
/// </summary>
[Collection(SupervisorCollection.Name)]
public sealed class SupervisorOverBusTests(ServersFixture servers)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task All_services_become_ready_and_a_client_sees_progress_and_the_final_state()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers);
        await using var supervisor = await sandbox.StartSupervisorAsync();
        var progress = new Recorder();

        var snapshot = await new ReadinessClient(sandbox.Options(), TimeProvider.System).WaitAsync(Wait, progress, CancellationToken.None);

        Assert.True(snapshot.IsReady, Describe(snapshot, supervisor));
        foreach (var name in new[] { "postgresql", "lavinmq", "redis" })
        {
            Assert.Equal("ready", snapshot.Services[name].State);
            Assert.Equal("accepting work", snapshot.Services[name].Detail);
            Assert.True(snapshot.Services[name].Seconds > 0);
        }

        Assert.Equal("skipped", snapshot.Services["bundle"].State);
        // On a quiet machine every service can be ready before the client's first call, so the client is
        // only guaranteed the final snapshot; the starting phase is proven by the supervisor's journal.
        Assert.NotEmpty(progress.Snapshots);
        Assert.Equal("ready", progress.Snapshots[^1].State);
        await supervisor.WaitForLineAsync(l => l.Contains("msg=\"transition\"", StringComparison.Ordinal) && l.Contains("to=starting", StringComparison.Ordinal), LogWait);
        Assert.Equal(1, sandbox.Systemd.SubscribeCalls);
        Assert.All(new[] { Sandbox.PgUnit, Sandbox.AmqpUnit, Sandbox.RedisUnit }, unit => Assert.Contains(("StartUnit", unit), sandbox.Systemd.Jobs));
        // One journal line per transition, with its duration.
        await supervisor.WaitForLineAsync(l => l.Contains("msg=\"transition\"", StringComparison.Ordinal) && l.Contains("service=redis", StringComparison.Ordinal)
            && l.Contains("to=ready", StringComparison.Ordinal) && l.Contains("seconds=", StringComparison.Ordinal), LogWait);
    }

    [Fact]
    public async Task A_unit_whose_start_job_fails_is_failed_with_the_reason_while_the_others_are_ready()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis",
            redis: port => new ProcessUnit(Sandbox.RedisUnit, "redis-server", ["--port", $"{port}", "--no-such-option", "x"], port));
        await using var supervisor = await sandbox.StartSupervisorAsync();

        var snapshot = await WaitSettledAsync(sandbox, s => s.Services["postgresql"].State != "starting");

        Assert.Equal("degraded", snapshot.State);
        Assert.Equal("ready", snapshot.Services["postgresql"].State);
        Assert.Equal("failed", snapshot.Services["redis"].State);
        Assert.Contains("start job failed", snapshot.Services["redis"].Detail, StringComparison.Ordinal);
        Assert.Contains("exit-code", snapshot.Services["redis"].Detail, StringComparison.Ordinal);
        Assert.Equal("skipped", snapshot.Services["lavinmq"].State);
    }

    [Fact]
    public async Task A_server_that_accepts_tcp_but_never_answers_fails_at_its_deadline()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis",
            pg: port => new SilentUnit(Sandbox.PgUnit, port), deadlineSeconds: 2);
        await using var supervisor = await sandbox.StartSupervisorAsync();

        var snapshot = await WaitSettledAsync(sandbox, s => s.Services["postgresql"].State != "starting");

        Assert.Equal("degraded", snapshot.State);
        Assert.Equal("failed", snapshot.Services["postgresql"].State);
        Assert.Contains("deadline 2s exceeded", snapshot.Services["postgresql"].Detail, StringComparison.Ordinal);
        Assert.InRange(snapshot.Services["postgresql"].Seconds, 1.9, 5);
        Assert.Equal("ready", snapshot.Services["redis"].State);
    }

    [Fact]
    public async Task A_server_that_dies_after_ready_turns_failed_through_PropertiesChanged()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "redis");
        await using var supervisor = await sandbox.StartSupervisorAsync();
        var ready = await WaitSettledAsync(sandbox, s => true);
        Assert.True(ready.IsReady, Describe(ready, supervisor));

        ((ProcessUnit)sandbox.Systemd[Sandbox.RedisUnit]).Crash();
        var after = await PollAsync(sandbox, s => s.Services["redis"].State == "failed");

        Assert.Equal("degraded", after.State);
        Assert.Contains("redis-server.service failed", after.Services["redis"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_bus_drops_and_returns_the_supervisor_reconnects_with_the_right_state()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis");
        await using var supervisor = await sandbox.StartSupervisorAsync();
        Assert.True((await WaitSettledAsync(sandbox, s => true)).IsReady, supervisor.Log);

        await sandbox.Bus.StopDaemonAsync();
        await Task.Delay(200);
        await sandbox.Bus.StartDaemonAsync();
        await sandbox.Systemd.WaitUpAsync(TimeSpan.FromSeconds(10));
        await SupervisorProcess.WaitForNameAsync(sandbox.Bus.Address, SupervisorBus.Name, TimeSpan.FromSeconds(10), () => supervisor.Log);

        var snapshot = await WaitSettledAsync(sandbox, s => true);
        Assert.True(snapshot.IsReady, Describe(snapshot, supervisor));
        await supervisor.WaitForLineAsync(l => l.Contains("reconnecting", StringComparison.Ordinal), LogWait);

        // The unit watches were renewed on the new connection: a crash is still noticed.
        ((ProcessUnit)sandbox.Systemd[Sandbox.RedisUnit]).Crash();
        var after = await PollAsync(sandbox, s => s.Services["redis"].State == "failed");
        Assert.Equal("ready", after.Services["postgresql"].State);
    }

    [Fact]
    public async Task Killed_with_SIGKILL_and_started_again_the_supervisor_rebuilds_its_state_from_systemd()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis");
        var first = await sandbox.StartSupervisorAsync();
        Assert.True((await WaitSettledAsync(sandbox, s => true)).IsReady, first.Log);

        first.KillHard();
        await first.DisposeAsync();
        await using var second = await sandbox.StartSupervisorAsync();
        var snapshot = await WaitSettledAsync(sandbox, s => true);

        Assert.True(snapshot.IsReady, Describe(snapshot, second));
        // Rebuilt from systemd: the running servers were found active, none was launched again.
        Assert.Equal(1, sandbox.Systemd[Sandbox.PgUnit].Launches);
        Assert.Equal(1, sandbox.Systemd[Sandbox.RedisUnit].Launches);
    }

    [Fact]
    public async Task Restart_restarts_the_unit_and_reprobes_and_an_unknown_name_is_a_dbus_error()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "redis");
        await using var supervisor = await sandbox.StartSupervisorAsync();
        Assert.True((await WaitSettledAsync(sandbox, s => true)).IsReady, supervisor.Log);

        using var connection = new DBusConnection(sandbox.Bus.Address);
        await connection.ConnectAsync();
        var error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => SupervisorCalls.RestartAsync(connection, "mysql"));
        Assert.Equal("org.aisandbox.Supervisor1.Error.UnknownService", error.ErrorName);

        await SupervisorCalls.RestartAsync(connection, "redis");
        var snapshot = await PollAsync(sandbox, s => s.IsReady && sandbox.Systemd[Sandbox.RedisUnit].Launches == 2);
        Assert.Contains(("RestartUnit", Sandbox.RedisUnit), sandbox.Systemd.Jobs);
        Assert.Equal("ready", snapshot.Services["redis"].State);
    }

    [Fact]
    public async Task A_client_subscribed_to_StateChanged_sees_a_restart_go_from_starting_to_ready()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "redis");
        await using var supervisor = await sandbox.StartSupervisorAsync();
        Assert.True((await WaitSettledAsync(sandbox, s => true)).IsReady, supervisor.Log);

        using var connection = new DBusConnection(sandbox.Bus.Address);
        await connection.ConnectAsync();
        var signals = new Recorder();
        var readyAgain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The match rule is in place once WatchSignalAsync returns, so no signal of the restart can be missed.
        using var watch = await connection.WatchSignalAsync(
            SupervisorBus.Name, SupervisorBus.Path, SupervisorBus.Interface, "StateChanged",
            static (message, _) => SnapshotWire.ReadSnapshot(message),
            (Notification<ReadinessSnapshot> n) =>
            {
                if (n.IsCompletion)
                {
                    return;
                }

                signals.Report(n.Value);
                if (n.Value.IsReady && signals.Snapshots.Any(s => s.Services["redis"].State == "starting"))
                {
                    readyAgain.TrySetResult();
                }
            },
            ObserverFlags.None,
            emitOnCapturedContext: false);

        await SupervisorCalls.RestartAsync(connection, "redis");
        await readyAgain.Task.WaitAsync(Wait);

        ReadinessSnapshot[] seen;
        lock (signals.Snapshots)
        {
            seen = [.. signals.Snapshots];
        }

        var redis = seen.Select(s => s.Services["redis"].State).ToArray();
        var firstStarting = Array.IndexOf(redis, "starting");
        Assert.True(firstStarting >= 0, string.Join(",", redis));
        Assert.Equal("starting", seen[firstStarting].State);
        Assert.Equal("ready", redis[^1]);
        Assert.Equal("accepting work", seen[^1].Services["redis"].Detail);
        Assert.Equal(2, sandbox.Systemd[Sandbox.RedisUnit].Launches);
    }

    [Fact]
    public async Task Busctl_introspect_lists_the_interface_and_reads_the_properties()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "none");
        await using var supervisor = await sandbox.StartSupervisorAsync();

        var result = await Run.ProcessAsync("busctl", ["--address=" + sandbox.Bus.Address, "introspect", SupervisorBus.Name, SupervisorBus.Path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var expected in new[] { "org.aisandbox.Supervisor1", ".WaitReady", ".Restart", ".StateChanged", ".State", ".Services",
                     "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable", "a{s(ssd)}" })
        {
            Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
        }

        var state = await Run.ProcessAsync("busctl", ["--address=" + sandbox.Bus.Address, "get-property", SupervisorBus.Name, SupervisorBus.Path,
            SupervisorBus.Interface, "State"]);
        Assert.Equal("s \"ready\"", state.Stdout.Trim());
    }

    private static async Task<ReadinessSnapshot> WaitSettledAsync(Sandbox sandbox, Func<ReadinessSnapshot, bool> also)
    {
        using var connection = new DBusConnection(sandbox.Bus.Address);
        await connection.ConnectAsync();
        var snapshot = await SupervisorCalls.WaitReadyAsync(connection, Wait);
        return also(snapshot) ? snapshot : await PollAsync(sandbox, also);
    }

    private static async Task<ReadinessSnapshot> PollAsync(Sandbox sandbox, Func<ReadinessSnapshot, bool> until)
    {
        using var connection = new DBusConnection(sandbox.Bus.Address);
        await connection.ConnectAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var snapshot = await SupervisorCalls.GetSnapshotAsync(connection);
            if (until(snapshot) || watch.Elapsed > Wait)
            {
                return snapshot;
            }

            await Task.Delay(20);
        }
    }

    private static string Describe(ReadinessSnapshot s, SupervisorProcess supervisor) =>
        $"{s.State}: {string.Join(", ", s.Services.Select(e => $"{e.Key}={e.Value}"))}\n--- log ---\n{supervisor.Log}";

    private sealed class Recorder : IProgress<ReadinessSnapshot>
    {
        public List<ReadinessSnapshot> Snapshots { get; } = [];

        public void Report(ReadinessSnapshot value)
        {
            lock (Snapshots)
            {
                Snapshots.Add(value);
            }
        }
    }
}
