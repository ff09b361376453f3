using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Supervision;
using AiSandbox.ServiceBootstrap.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.ServiceBootstrap.Tests.Supervision;

public sealed class ReadinessBoardTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Ready_when_all_ready_or_skipped_degraded_when_any_failed_starting_otherwise()
    {
        var board = new ReadinessBoard(["a", "b", "bundle"], _time);
        Assert.Equal("starting", board.Snapshot().State);
        var a = board.Begin("a", "starting");
        var b = board.Begin("b", "starting");
        board.Set("bundle", board.Generation("bundle"), EntryStates.Skipped, "no Gemfile");
        _time.Advance(TimeSpan.FromMilliseconds(210));
        board.Set("a", a, EntryStates.Ready, "accepting work");
        Assert.Equal("starting", board.Snapshot().State);
        Assert.Equal(0.21, board.Snapshot().Services["a"].Seconds);

        board.Set("b", b, EntryStates.Ready, "accepting work");
        Assert.Equal("ready", board.Snapshot().State);

        var b2 = board.Begin("b", "restarting");
        board.Set("b", b2, EntryStates.Failed, "unit failed");
        Assert.Equal("degraded", board.Snapshot().State);
    }

    [Fact]
    public void A_stale_worker_cannot_overwrite_a_newer_result()
    {
        var board = new ReadinessBoard(["a"], _time);
        var old = board.Begin("a", "starting");
        var current = board.Begin("a", "restarting");
        Assert.False(board.Set("a", old, EntryStates.Failed, "stale"));
        Assert.True(board.Set("a", current, EntryStates.Ready, "accepting work"));
        Assert.Equal("ready", board.Snapshot().Services["a"].State);
    }

    [Fact]
    public async Task WaitSettled_returns_on_the_change_or_at_the_timeout_with_starting()
    {
        var board = new ReadinessBoard(["a"], TimeProvider.System);
        var g = board.Begin("a", "starting");
        var timedOut = await board.WaitSettledAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.Equal("starting", timedOut.State);

        var waiting = board.WaitSettledAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        board.Set("a", g, EntryStates.Ready, "accepting work");
        Assert.Equal("ready", (await waiting.WaitAsync(TimeSpan.FromSeconds(5))).State);
    }

    [Fact]
    public void Every_transition_is_reported_once_with_the_whole_snapshot()
    {
        var board = new ReadinessBoard(["a"], _time);
        var changes = new List<BoardChange>();
        board.Changed += changes.Add;
        var g = board.Begin("a", "starting");
        board.Set("a", g, EntryStates.Starting, "starting");
        board.Set("a", g, EntryStates.Ready, "accepting work");
        Assert.Equal(2, changes.Count);
        Assert.Equal(("pending", "starting"), (changes[0].Previous.State, changes[0].Current.State));
        Assert.Equal("ready", changes[1].Snapshot.State);
    }
}

public sealed class JobTrackerTests
{
    [Fact]
    public async Task A_job_that_finished_before_its_StartUnit_reply_was_read_is_still_matched()
    {
        using var jobs = new JobTracker();
        jobs.Completed("/org/freedesktop/systemd1/job/7", "done");
        Assert.Equal("done", await jobs.WaitAsync("/org/freedesktop/systemd1/job/7", CancellationToken.None));
    }

    [Fact]
    public async Task Waits_for_its_own_job_only()
    {
        using var jobs = new JobTracker();
        var waiting = jobs.WaitAsync("/job/2", CancellationToken.None);
        jobs.Completed("/job/1", "failed");
        Assert.False(waiting.IsCompleted);
        jobs.Completed("/job/2", "done");
        Assert.Equal("done", await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_closed_connection_fails_the_waiters()
    {
        var jobs = new JobTracker();
        var waiting = jobs.WaitAsync("/job/3", CancellationToken.None);
        jobs.Dispose();
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
    }
}
