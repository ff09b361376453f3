using System.Globalization;
using AiSandbox.Common.Systemd;

namespace AiSandbox.TokenRefresher.Daemon;

/// <summary>Daemon-only settings, validated at start.</summary>
internal sealed class DaemonOptions
{
    /// <summary>The longest CHECK_INTERVAL the daemon takes: it checks at least once a day.</summary>
    public static readonly TimeSpan LongestCheckInterval = TimeSpan.FromDays(1);

    /// <summary>systemd's <c>WATCHDOG_USEC</c> (the whole timeout); null when no watchdog is configured.</summary>
    public TimeSpan? Watchdog { get; set; }

    /// <summary>
    /// Shortest pause between the end of one cycle and the start of the next (default 1 s), whatever woke the
    /// daemon: a due chain, or file events (among them the daemon's own writes).
    /// </summary>
    public TimeSpan MinimumSleep { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long file events are gathered before a cycle starts (default 100 ms).</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);

    public static TimeSpan? WatchdogFromEnvironment(Func<string, string?> env) => Common.Systemd.Watchdog.TimeoutFromEnvironment(env);

    /// <summary>
    /// What the daemon needs beyond <see cref="RefresherOptions.FromEnvironment"/>: a CHECK_INTERVAL it can
    /// sleep, and a watchdog timeout of at least a second.
    /// </summary>
    /// <exception cref="OptionsException">The message names the variable and the bound.</exception>
    public static void Check(RefresherOptions options, Func<string, string?> env)
    {
        if (options.CheckInterval > LongestCheckInterval)
        {
            throw new OptionsException($"CHECK_INTERVAL must be at most {(long)LongestCheckInterval.TotalSeconds} seconds for --daemon",
                "CHECK_INTERVAL", env("CHECK_INTERVAL"));
        }

        if (WatchdogFromEnvironment(env) is not { } watchdog)
        {
            return;
        }

        // The loop also beats while a token request is under way (up to that request's own bound), so any
        // timeout systemd can express is kept; below a second the pings would be the daemon's main work.
        if (watchdog < TimeSpan.FromSeconds(1))
        {
            throw new OptionsException("WATCHDOG_USEC must be at least 1000000 (one second)", "WATCHDOG_USEC", env("WATCHDOG_USEC"));
        }
    }
}
