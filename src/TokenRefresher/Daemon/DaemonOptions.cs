namespace AiSandbox.TokenRefresher.Daemon;

/// <summary>Daemon-only settings, validated at start.</summary>
internal sealed class DaemonOptions
{
    /// <summary>systemd's <c>WATCHDOG_USEC</c>; null when no watchdog is configured. Pings go out at half of it.</summary>
    public TimeSpan? Watchdog { get; set; }

    /// <summary>Shortest pause between cycles, so a burst of file events or a due chain never spins (default 1 s).</summary>
    public TimeSpan MinimumSleep { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long file events are gathered before a cycle starts (default 100 ms).</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);

    public static TimeSpan? WatchdogFromEnvironment(Func<string, string?> env) =>
        long.TryParse(env("WATCHDOG_USEC"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
}
