using AiSandbox.Common.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.Common.Tests;

/// <summary>The one reading of WATCHDOG_USEC both daemons use, and the rate limit of the loop's beats.</summary>
public sealed class WatchdogTests
{
    [Theory]
    [InlineData("120000000", null, 120_000_000L)]
    [InlineData("2400000", "self", 2_400_000L)]
    [InlineData("2400000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    [InlineData(null, null, null)]
    public void WATCHDOG_USEC_is_the_whole_timeout_and_only_for_the_process_it_names(string? usec, string? pid, long? expectedUsec)
    {
        var env = new Dictionary<string, string?>
        {
            ["WATCHDOG_USEC"] = usec,
            ["WATCHDOG_PID"] = pid == "self" ? Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid,
        };

        var timeout = Watchdog.TimeoutFromEnvironment(n => env.GetValueOrDefault(n));

        Assert.Equal(expectedUsec, timeout is { } t ? (long)t.TotalMicroseconds : null);
    }

    [Fact]
    public void Beats_send_at_most_one_ping_per_quarter_of_the_timeout_and_none_without_a_watchdog()
    {
        var time = new FakeTimeProvider();
        var sent = 0;
        var watchdog = new Watchdog(TimeSpan.FromSeconds(120), () => sent++, time);
        Assert.Equal(TimeSpan.FromSeconds(60), watchdog.BeatInterval);

        watchdog.Beat();
        watchdog.Beat();
        Assert.Equal(1, sent);
        time.Advance(TimeSpan.FromSeconds(29));
        watchdog.Beat();
        Assert.Equal(1, sent);
        time.Advance(TimeSpan.FromSeconds(1));
        watchdog.Beat();
        Assert.Equal(2, sent);

        var none = new Watchdog(null, () => sent++, time);
        none.Beat();
        Assert.Equal(2, sent);
        Assert.Null(none.BeatInterval);
    }
}
