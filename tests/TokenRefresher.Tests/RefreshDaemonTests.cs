using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Daemon;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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

    /// <summary>ILogger&lt;T&gt; over a plain logger.</summary>
    private sealed class LoggerAdapter(ILogger inner) : ILogger<RefreshDaemon>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
