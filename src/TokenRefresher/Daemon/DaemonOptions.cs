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
    /// sleep, and a watchdog timeout that a healthy cycle can keep (the loop beats before and after every token
    /// request, so one request with all its retries must fit in half the timeout).
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

        var longest = LongestTokenRequest(options);
        if (watchdog < TimeSpan.FromSeconds(1) || watchdog / 2 <= longest)
        {
            var least = (long)Math.Max(1_000_000, Math.Ceiling((longest * 2).TotalMicroseconds) + 1);
            throw new OptionsException(
                $"WATCHDOG_USEC must be at least {least.ToString(CultureInfo.InvariantCulture)}: twice the longest token request (OAUTH_HTTP_TIMEOUT times OAUTH_HTTP_RETRIES+1, plus back-off)",
                "WATCHDOG_USEC", env("WATCHDOG_USEC"));
        }
    }

    /// <summary>Every attempt timing out, with the longest back-off between them.</summary>
    internal static TimeSpan LongestTokenRequest(RefresherOptions options)
    {
        var total = options.HttpTimeout * (options.HttpRetries + 1);
        for (var attempt = 1; attempt <= options.HttpRetries; attempt++)
        {
            total += options.HttpRetryDelay * Math.Pow(2, attempt - 1);
        }

        return total;
    }
}
