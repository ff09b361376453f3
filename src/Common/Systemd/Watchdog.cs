using System.Globalization;

namespace AiSandbox.Common.Systemd;

/// <summary>
/// systemd's watchdog as our daemons keep it: <c>WATCHDOG_USEC</c> is read once, here, as the whole timeout
/// (systemd kills the service when no <c>WATCHDOG=1</c> arrives within it). The work loop calls
/// <see cref="Beat"/> whenever it makes progress; a ping goes out at most every quarter of the timeout, so a
/// loop may beat as often as it likes, and a loop that stops beating stops the pings.
/// </summary>
public sealed class Watchdog
{
    private readonly Action _send;
    private readonly TimeProvider _time;
    private long _lastSent = long.MinValue;

    /// <param name="timeout">The watchdog timeout; null when no watchdog is configured (then nothing is ever sent).</param>
    /// <param name="send">Sends <c>WATCHDOG=1</c> (the daemon's sd_notify).</param>
    /// <param name="time">The clock the rate limit runs on.</param>
    public Watchdog(TimeSpan? timeout, Action send, TimeProvider time)
    {
        Timeout = timeout;
        _send = send;
        _time = time;
    }

    /// <summary>The watchdog timeout, or null without a watchdog.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>The longest a loop should go between beats: half the timeout (null without a watchdog).</summary>
    public TimeSpan? BeatInterval => Timeout / 2;

    /// <summary>
    /// <c>WATCHDOG_USEC</c> as the timeout; null when unset, not a positive integer, or meant for another
    /// process (<c>WATCHDOG_PID</c> names a different pid).
    /// </summary>
    public static TimeSpan? TimeoutFromEnvironment(Func<string, string?> env)
    {
        if (env("WATCHDOG_PID") is { Length: > 0 } pid
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p != Environment.ProcessId))
        {
            return null;
        }

        return long.TryParse(env("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    /// <summary>The work loop is alive: ping, unless a ping went out less than a quarter of the timeout ago.</summary>
    public void Beat()
    {
        if (Timeout is not { } timeout)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastSent);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < timeout / 4)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastSent, now, last) == last)
        {
            _send();
        }
    }
}
