using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace AiSandbox.Supervisor;

/// <summary>Pings WATCHDOG=1 at half of WATCHDOG_USEC (set by systemd from WatchdogSec=).</summary>
internal sealed class WatchdogService(ISystemdNotifier notifier, TimeProvider time) : BackgroundService
{
    public static TimeSpan? Interval(Func<string, string?> env) =>
        long.TryParse(env("WATCHDOG_USEC"), System.Globalization.CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec / 2.0)
            : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval(Environment.GetEnvironmentVariable) is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
