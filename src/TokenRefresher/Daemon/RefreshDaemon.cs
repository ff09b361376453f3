using System.Globalization;
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
/// credential file changes, or CHECK_INTERVAL passes, whichever is first; the watchdog is pinged from
/// this same loop, so a hung loop is what the watchdog catches.
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
    private DateTimeOffset _nextCycle;
    private DateTimeOffset? _lastRefresh;

    public RefreshDaemon(TokenChains chains, ISystemdNotifier notifier, IOptions<DaemonOptions> daemon, ILogger<RefreshDaemon> logger, TimeProvider time)
    {
        _chains = chains;
        _notifier = notifier;
        _daemon = daemon.Value;
        _logger = logger;
        _time = time;
        _watcher = new CredentialWatcher(Wake, logger);
    }

    /// <summary>The STATUS= text of the last cycle (also what tests read).</summary>
    public string Status { get; private set; } = "starting";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = _chains.Options;
        RefreshLog.Starting(_logger, o.CredentialsDir, o.SettingsDir, Secs(o.CheckInterval), Secs(o.RefreshBefore));
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
        _watcher.Ensure([o.CredentialsDir, o.SettingsDir]);
        var now = _time.GetUtcNow();
        try
        {
            var report = await _chains.RunCycleAsync(cancellationToken).ConfigureAwait(false);
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

        _notifier.Notify(new ServiceState("STATUS=" + Status));
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
    }

    public override void Dispose()
    {
        _watcher.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>Waits for the next cycle, a file event or shutdown, pinging the watchdog on the way.</summary>
    private async Task SleepAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var now = _time.GetUtcNow();
            var remaining = _nextCycle - now;
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            var ping = _daemon.Watchdog is { } wd ? wd / 2 : (TimeSpan?)null;
            var wait = ping is { } p && p < remaining ? p : remaining;
            if (await WaitForWakeAsync(wait, stoppingToken).ConfigureAwait(false))
            {
                // Let a burst of file events settle into one cycle.
                await Task.Delay(_daemon.Debounce, _time, stoppingToken).ConfigureAwait(false);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                return;
            }

            if (_daemon.Watchdog is not null)
            {
                _notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
        }
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
