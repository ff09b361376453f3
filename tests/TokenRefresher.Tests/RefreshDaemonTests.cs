using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>The daemon's single step, called directly: STATUS text and when it wakes next.</summary>
public sealed class RefreshDaemonTests
{
    [Fact]
    public async Task A_cycle_sends_one_status_line_and_wakes_at_the_soonest_refresh_window()
    {
        await using var box = new Sandbox();
        var soon = Sandbox.InMs(TimeSpan.FromMinutes(70));
        box.Server.IssueCredentials("a").WriteTo(box.SettingsCopy("a"), soon);
        box.Server.IssueCredentials("b").WriteTo(box.SettingsCopy("b"), Sandbox.InMs(TimeSpan.FromHours(7)));
        var options = RefresherOptions.FromEnvironment(n => box.Env().GetValueOrDefault(n));
        var output = new StringWriter();
        var logger = new LogfmtLogger(new LogfmtLog(output, TimeProvider.System));
        using var chains = new TokenChains(options, logger, TimeProvider.System);
        var notifier = Substitute.For<ISystemdNotifier>();
        var sent = new List<string>();
        notifier.When(n => n.Notify(Arg.Any<ServiceState>())).Do(c => sent.Add(c.Arg<ServiceState>().ToString()));
        using var daemon = new RefreshDaemon(chains, notifier, Options.Create(new DaemonOptions()), new LoggerAdapter(logger), TimeProvider.System);

        var next = await daemon.RunCycleAsync(CancellationToken.None);

        // "a" enters its refresh window (expiry minus REFRESH_BEFORE) in 10 minutes; CHECK_INTERVAL (300 s) comes first.
        Assert.InRange(next, DateTimeOffset.UtcNow.AddSeconds(290), DateTimeOffset.UtcNow.AddSeconds(301));
        var status = Assert.Single(sent);
        Assert.StartsWith("STATUS=2 chains: 2 valid; next check ", status, StringComparison.Ordinal);
        Assert.Equal(daemon.Status, status["STATUS=".Length..]);

        // With CHECK_INTERVAL at an hour, the window of "a" is the sooner wake.
        var shorter = RefresherOptions.FromEnvironment(n => box.Env(null, ("CHECK_INTERVAL", "3600")).GetValueOrDefault(n));
        using var chains2 = new TokenChains(shorter, logger, TimeProvider.System);
        using var daemon2 = new RefreshDaemon(chains2, notifier, Options.Create(new DaemonOptions()), new LoggerAdapter(logger), TimeProvider.System);
        var next2 = await daemon2.RunCycleAsync(CancellationToken.None);
        var window = DateTimeOffset.FromUnixTimeMilliseconds(soon) - TimeSpan.FromHours(1);
        Assert.InRange(next2, window.AddSeconds(-1), window.AddSeconds(1));
        box.Record(output.ToString().Split('\n'));
    }

    [Fact]
    public void Status_line_names_chains_that_need_login_and_failures()
    {
        var chain = Chain.ForProfile("/s", "work");
        var now = new DateTimeOffset(2026, 11, 27, 4, 12, 7, TimeSpan.Zero);
        var report = new CycleReport(
        [
            new ChainOutcome(chain, "/s/a", ChainState.Valid, 1),
            new ChainOutcome(chain, "/s/b", ChainState.Refreshed, 1),
            new ChainOutcome(chain, "/s/c", ChainState.NeedsLogin, 1),
            new ChainOutcome(chain, "/s/d", ChainState.RateLimited, 1),
            new ChainOutcome(chain, "/s/e", ChainState.Skipped),
        ], now);

        var line = RefreshDaemon.StatusLine(report, ["work"], now, now.AddMinutes(5));

        Assert.Equal("4 chains: 1 valid, 1 refreshed at 04:12:07Z, 1 need login (work), 1 rate limited; next check 04:17:07Z", line);
    }

    [Fact]
    public async Task Whatever_lifetime_the_server_issues_a_chain_is_refreshed_at_most_once_per_minimum_interval()
    {
        // Two-second tokens and a one-second window: due a second after every refresh. The daemon's step is
        // driven on a fake clock, jumping to each wake-up it asks for.
        await using var box = new Sandbox();
        box.Server.TokenLifetime = TimeSpan.FromSeconds(2);
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromSeconds(-10)));
        var options = RefresherOptions.FromEnvironment(n => box.Env(null, ("REFRESH_BEFORE", "1")).GetValueOrDefault(n));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var output = new StringWriter();
        var logger = new LogfmtLogger(new LogfmtLog(output, time));
        using var chains = new TokenChains(options, logger, time);
        using var daemon = new RefreshDaemon(chains, Substitute.For<ISystemdNotifier>(), Options.Create(new DaemonOptions()), new LoggerAdapter(logger), time);

        var start = time.GetUtcNow();
        const int cycles = 12;
        for (var i = 0; i < cycles; i++)
        {
            var next = await daemon.RunCycleAsync(CancellationToken.None);
            Assert.True(next > time.GetUtcNow(), "the next cycle is in the future");
            time.SetUtcNow(next);
        }

        var elapsed = time.GetUtcNow() - start;
        var refreshes = box.Server.Stats.Refreshed;
        Assert.True(refreshes >= 2, $"{refreshes} refreshes");
        Assert.True(refreshes <= 1 + (int)(elapsed / options.MinimumRefreshInterval),
            $"{refreshes} refreshes in {elapsed.TotalSeconds:0} s of cycles, at most one per {options.MinimumRefreshInterval.TotalSeconds:0} s allowed");
        box.Record(output.ToString().Split('\n'));
    }

    [Fact]
    public async Task A_loop_that_fails_outside_a_cycle_stops_the_host_and_reports_failure()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(6)));
        var options = RefresherOptions.FromEnvironment(n => box.Env().GetValueOrDefault(n));
        var output = new StringWriter();
        var logger = new LogfmtLogger(new LogfmtLog(output, TimeProvider.System));
        using var chains = new TokenChains(options, logger, TimeProvider.System);
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource();
        lifetime.When(l => l.StopApplication()).Do(_ => stopped.TrySetResult());

        // The sleep between cycles is the part outside a cycle: its clock fails.
        using var daemon = new RefreshDaemon(chains, Substitute.For<ISystemdNotifier>(), Options.Create(new DaemonOptions()), new LoggerAdapter(logger),
            new TimerlessTime(), lifetime);
        await daemon.StartAsync(CancellationToken.None);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await daemon.StopAsync(CancellationToken.None);

        Assert.True(daemon.Failed);
        var fatal = Assert.Single(output.ToString().Split('\n'), l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains("msg=\"daemon loop failed, exiting\"", fatal, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", fatal, StringComparison.Ordinal);
        box.Record(output.ToString().Split('\n'));
    }

    /// <summary>The system clock, whose timers cannot be created.</summary>
    private sealed class TimerlessTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            throw new InvalidOperationException("no timers");
    }

    /// <summary>ILogger&lt;T&gt; over a plain logger.</summary>
    private sealed class LoggerAdapter(ILogger inner) : ILogger<RefreshDaemon>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
