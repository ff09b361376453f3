using System.Globalization;
using AiSandbox.Common.Systemd;
using AiSandbox.TokenRefresher.Chains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiSandbox.TokenRefresher.Daemon;

/// <summary>
/// Runs refresh cycles forever. The first cycle runs inside <see cref="StartAsync"/>, so systemd's
/// READY=1 (sent by the host once every service has started) means "every chain was looked at once".
/// After each cycle: one STATUS= line, then sleep until the soonest chain enters its refresh window, a
/// credential file changes, or CHECK_INTERVAL passes, whichever is first, but never less than the minimum
/// sleep. The watchdog is pinged only from this loop: while it sleeps, before each chain, at every poll of a
/// chain lock wait and around every token request, so a long healthy cycle keeps it fed and a hung loop
/// does not. A loop that fails outside a cycle stops the host with exit code 1 (<see cref="Failed"/>).
/// </summary>
internal sealed class RefreshDaemon : BackgroundService
{
    private readonly TokenChains _chains;
    private readonly ISystemdNotifier _notifier;
    private readonly DaemonOptions _daemon;
    private readonly ILogger<RefreshDaemon> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CredentialWatcher _watcher;
    private readonly Watchdog _watchdog;
    private readonly IHostApplicationLifetime? _lifetime;
    private DateTimeOffset _nextCycle;
    private DateTimeOffset _cycleEnded = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastRefresh;

    public RefreshDaemon(TokenChains chains, ISystemdNotifier notifier, IOptions<DaemonOptions> daemon, ILogger<RefreshDaemon> logger, TimeProvider time,
        IHostApplicationLifetime? lifetime = null)
    {
        _chains = chains;
        _notifier = notifier;
        _daemon = daemon.Value;
        _logger = logger;
        _time = time;
        _lifetime = lifetime;
        _watcher = new CredentialWatcher(Wake, logger);
        _watchdog = new Watchdog(_daemon.Watchdog, () => _notifier.Notify(new ServiceState("WATCHDOG=1")), time);
    }

    /// <summary>True once the loop failed outside a cycle; the host then exits 1, so Restart=on-failure applies.</summary>
    public bool Failed { get; private set; }

    /// <summary>The STATUS= text of the last cycle (also what tests read).</summary>
    public string Status { get; private set; } = "starting";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = _chains.Options;
        DaemonLog.Starting(_logger, o.CredentialsDir, o.SettingsDir, Secs(o.CheckInterval), Secs(o.RefreshBefore));
        await RunCycleAsync(cancellationToken).ConfigureAwait(false);

        // Sent here rather than left to the host lifetime, so it also reaches a NOTIFY_SOCKET outside a unit
        // (podman --sdnotify, tests); under systemd the lifetime's second READY=1 is ignored.
        _notifier.Notify(new ServiceState("READY=1"));
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One step of the loop: a cycle, its STATUS= line, and the time of the next one. Never throws but on cancellation.</summary>
    public async Task<DateTimeOffset> RunCycleAsync(CancellationToken cancellationToken)
    {
        var o = _chains.Options;
        _watchdog.Beat();
        _watcher.Ensure([o.CredentialsDir, o.SettingsDir]);
        var now = _time.GetUtcNow();
        try
        {
            var report = await _chains.RunCycleAsync(_watchdog.Beat, cancellationToken).ConfigureAwait(false);
            now = _time.GetUtcNow();
            if (report.Count(ChainState.Refreshed) > 0)
            {
                _lastRefresh = now;
            }

            var next = now + o.CheckInterval;
            if (report.SoonestWindow(o.RefreshBefore) is { } soonest && soonest < next)
            {
                next = soonest;
            }

            _nextCycle = next < now + _daemon.MinimumSleep ? now + _daemon.MinimumSleep : next;
            Status = StatusLine(report, _chains.ProfilesNeedingLogin(), _lastRefresh, _nextCycle);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // A cycle must never kill the daemon: log, and try again at the regular interval.
            DaemonLog.CycleFailed(_logger, e.GetType().Name + ": " + e.Message);
            _nextCycle = now + o.CheckInterval;
            Status = $"cycle failed ({e.GetType().Name}); next check {Clock(_nextCycle)}";
        }

        _cycleEnded = _time.GetUtcNow();
        _notifier.Notify(new ServiceState("STATUS=" + Status));
        _watchdog.Beat();
        return _nextCycle;
    }

    /// <summary>e.g. <c>3 chains: 2 valid, 1 refreshed at 04:12Z; next check 04:17Z</c>.</summary>
    internal static string StatusLine(CycleReport report, IReadOnlyList<string> needLogin, DateTimeOffset? lastRefresh, DateTimeOffset next)
    {
        var parts = new List<string>();
        var counted = report.Outcomes.Where(r => r.State != ChainState.Skipped).ToList();
        parts.Add($"{report.Count(ChainState.Valid)} valid");
        if (report.Count(ChainState.Refreshed) > 0)
        {
            parts.Add($"{report.Count(ChainState.Refreshed)} refreshed at {Clock(lastRefresh ?? report.FinishedAt)}");
        }

        if (needLogin.Count > 0)
        {
            parts.Add($"{needLogin.Count} need login ({string.Join(", ", needLogin)})");
        }

        foreach (var (state, word) in new[] { (ChainState.RateLimited, "rate limited"), (ChainState.Failed, "failed"), (ChainState.NoRefreshToken, "without refresh token") })
        {
            if (report.Count(state) > 0)
            {
                parts.Add($"{report.Count(state)} {word}");
            }
        }

        var head = report.DirectoryFailed ? "credentials dir unreadable" : $"{counted.Count} chain{(counted.Count == 1 ? string.Empty : "s")}";
        return $"{head}: {string.Join(", ", parts)}; next check {Clock(next)}";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await SleepAsync(stoppingToken).ConfigureAwait(false);
                await RunCycleAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Outside a cycle nothing is expected to fail: stop, and let systemd restart a fresh process.
            Failed = true;
            DaemonLog.LoopFailed(_logger, e.GetType().Name + ": " + e.Message);
            _lifetime?.StopApplication();
        }
    }

    public override void Dispose()
    {
        _watcher.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Waits for the next cycle, a file event or shutdown, beating the watchdog on the way. A file event
    /// (our own writes among them) never starts a cycle sooner than the minimum sleep after the last one.
    /// </summary>
    internal async Task SleepAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            _watchdog.Beat();
            var remaining = _nextCycle - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            if (await WaitForWakeAsync(Slice(remaining), stoppingToken).ConfigureAwait(false))
            {
                // Let a burst of file events settle into one cycle, and keep the minimum sleep.
                await Task.Delay(_daemon.Debounce, _time, stoppingToken).ConfigureAwait(false);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                await SleepUntilAsync(_cycleEnded + _daemon.MinimumSleep, stoppingToken).ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task SleepUntilAsync(DateTimeOffset until, CancellationToken stoppingToken)
    {
        while (until - _time.GetUtcNow() is var left && left > TimeSpan.Zero)
        {
            _watchdog.Beat();
            await Task.Delay(Slice(left), _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>At most half the watchdog timeout (so the loop beats in time), and at most an hour (so no Task.Delay overflows).</summary>
    private TimeSpan Slice(TimeSpan remaining)
    {
        var slice = _watchdog.BeatInterval is { } beat && beat < TimeSpan.FromHours(1) ? beat : TimeSpan.FromHours(1);
        return remaining < slice ? remaining : slice;
    }

    private async Task<bool> WaitForWakeAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = _wake.WaitAsync(linked.Token);
        var timer = Task.Delay(wait, _time, linked.Token);
        var first = await Task.WhenAny(woken, timer).ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
        await linked.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(woken, timer).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // The wait may have completed just as we cancelled: a consumed wake counts.
        return first == woken || woken.IsCompletedSuccessfully;
    }

    private void Wake() => _wake.Release();

    private static string Secs(TimeSpan t) => ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    private static string Clock(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
