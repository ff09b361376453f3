using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.Supervisor.Tests.Fakes;

namespace AiSandbox.Supervisor.Tests.InProcess;

/// <summary>
/// The supervisor's loop turned by the test, one step at a time, on a private bus with the test
/// systemd and a fake clock: deadlines pass without waiting for them. The published binary's tests
/// (<see cref="SupervisorOverBusTests"/>) cover the same engine with real servers.
/// </summary>
public sealed class SupervisorStepTests
{
    [Fact]
    public async Task A_step_connects_starts_the_units_and_the_service_that_answers_is_ready_on_the_bus()
    {
        await using var engine = await SupervisorEngine.StartAsync("redis");

        var next = await engine.StepAsync();
        var snapshot = await engine.SettledAsync();

        Assert.Equal(TimeSpan.Zero, next);
        Assert.Equal(OverallStates.Ready, snapshot.State);
        Assert.Equal(("StartUnit", Sandbox.RedisUnit), Assert.Single(engine.Systemd.Jobs));
        var published = await SupervisorCalls.GetSnapshotAsync(engine.Client);
        Assert.Equal(OverallStates.Ready, published.State);
        Assert.Equal(EntryStates.Ready, published.Services["redis"].State);
        Assert.Equal("accepting work", published.Services["redis"].Detail);
        Assert.Equal(EntryStates.Skipped, published.Services["postgresql"].State);
        Assert.Contains("READY=1", engine.Notifier.Sent);
        Assert.Contains(engine.Notifier.Sent, s => s.StartsWith("STATUS=", StringComparison.Ordinal) && s.Contains("redis ready", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_that_refuses_until_its_deadline_fails_with_the_last_reason_and_the_bus_says_degraded()
    {
        await using var engine = await SupervisorEngine.StartAsync("postgresql,redis");
        engine.Probes["redis"].Answer = ScriptedProbe.Refuse;

        await engine.StepAsync();
        var snapshot = await engine.AdvanceUntilAsync(s => s.Services["redis"].State == EntryStates.Failed, TimeSpan.FromMilliseconds(250));

        Assert.Equal(OverallStates.Degraded, snapshot.State);
        Assert.Equal(EntryStates.Ready, snapshot.Services["postgresql"].State);
        Assert.Equal("deadline 30s exceeded: Connection refused", snapshot.Services["redis"].Detail);
        Assert.True(snapshot.Services["redis"].Seconds >= 30, $"failed after {snapshot.Services["redis"].Seconds}s of fake time");
        Assert.True(engine.Probes["redis"].Attempts > 1);
        var published = await SupervisorCalls.GetSnapshotAsync(engine.Client);
        Assert.Equal(OverallStates.Degraded, published.State);
        Assert.Equal(EntryStates.Failed, published.Services["redis"].State);
        Assert.Contains(engine.Notifier.Sent, s => s.StartsWith("STATUS=", StringComparison.Ordinal) && s.Contains("redis failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_never_answers_is_cut_by_the_attempt_timeout_on_the_time_provider()
    {
        await using var engine = await SupervisorEngine.StartAsync("redis");
        engine.Probes["redis"].Answer = ScriptedProbe.Hang;

        await engine.StepAsync();
        var snapshot = await engine.AdvanceUntilAsync(s => s.Services["redis"].State == EntryStates.Failed, TimeSpan.FromMilliseconds(250));

        Assert.Equal(OverallStates.Degraded, snapshot.State);
        Assert.Equal("deadline 30s exceeded: no answer within 2s", snapshot.Services["redis"].Detail);
    }

    [Fact]
    public async Task Restart_over_the_bus_restarts_the_unit_and_a_failed_service_that_answers_again_is_ready()
    {
        await using var engine = await SupervisorEngine.StartAsync("redis");
        engine.Probes["redis"].Answer = ScriptedProbe.Refuse;
        await engine.StepAsync();
        await engine.AdvanceUntilAsync(s => s.Services["redis"].State == EntryStates.Failed, TimeSpan.FromMilliseconds(250));
        var generation = engine.Board.Generation("redis");

        engine.Probes["redis"].Answer = ScriptedProbe.Accept;
        await SupervisorCalls.RestartAsync(engine.Client, "redis");
        var snapshot = await engine.AdvanceUntilAsync(s => s.Services["redis"].State == EntryStates.Ready, TimeSpan.Zero);

        Assert.Equal(OverallStates.Ready, snapshot.State);
        Assert.Contains(("RestartUnit", Sandbox.RedisUnit), engine.Systemd.Jobs);
        Assert.Equal(generation + 1, engine.Board.Generation("redis"));
        Assert.Equal(OverallStates.Ready, (await SupervisorCalls.GetSnapshotAsync(engine.Client)).State);
    }

    [Fact]
    public async Task A_step_feeds_the_watchdog_only_after_the_bus_answered()
    {
        await using var engine = await SupervisorEngine.StartAsync("redis", watchdog: TimeSpan.FromSeconds(20));
        await engine.StepAsync();
        await engine.SettledAsync();
        var beats = engine.Notifier.Sent.Count(s => s == "WATCHDOG=1");

        engine.Bus.Freeze();
        engine.Time.Advance(TimeSpan.FromSeconds(10));
        var frozen = engine.Service.StepAsync(CancellationToken.None);
        while (!frozen.IsCompleted)
        {
            // The liveness call waits on the fake clock: a quarter of the timeout passes, then the step gives up.
            engine.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(frozen, Task.Delay(1));
        }

        var next = await frozen.WaitAsync(SupervisorEngine.Guard);
        Assert.Equal(TimeSpan.FromSeconds(10), next);
        Assert.Equal(beats, engine.Notifier.Sent.Count(s => s == "WATCHDOG=1"));

        engine.Bus.Thaw();
        engine.Time.Advance(TimeSpan.FromSeconds(10));
        await engine.StepAsync();
        Assert.Equal(beats + 1, engine.Notifier.Sent.Count(s => s == "WATCHDOG=1"));
    }

    [Fact]
    public async Task After_the_bus_drops_a_step_detaches_and_the_next_one_reattaches_and_subscribes_again()
    {
        await using var engine = await SupervisorEngine.StartAsync("redis");
        await engine.StepAsync();
        await engine.SettledAsync();

        await engine.Bus.StopDaemonAsync();
        await engine.Service.Disconnected!.WaitAsync(SupervisorEngine.Guard);
        var afterDrop = await engine.StepAsync();
        Assert.Null(engine.Service.Connection);
        Assert.True(afterDrop > TimeSpan.Zero);

        await engine.Bus.StartDaemonAsync();
        await engine.Systemd.WaitUpAsync(SupervisorEngine.Guard);
        Assert.Equal(TimeSpan.Zero, await engine.StepAsync());

        Assert.NotNull(engine.Service.Connection);
        Assert.Equal(2, engine.Systemd.SubscribeCalls);
        Assert.Equal(OverallStates.Ready, engine.Board.Snapshot().State);
    }
}
