using System.Globalization;
using AiSandbox.Common.Logging;
using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// c and cx wait here before preparing the session. Nothing here stops a launch: a failed or slow service
/// is named in a warning with its reason, and the agent starts anyway, because it is still useful without it.
/// </summary>
internal static class ReadinessGate
{
    public const string TimeoutVariable = "AI_READY_TIMEOUT";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task WaitAsync(IReadinessWait wait, TimeSpan timeout, ReadinessDisplay display, LogfmtLog log, CancellationToken cancellationToken)
    {
        ReadinessResult result;
        try
        {
            using var ticking = display.StartTicking();
            result = await wait.WaitAsync(timeout, display.Show, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.Warn("readiness check failed, launching anyway", LogField.Quoted("error", e.Message));
            return;
        }

        if (!result.ViaSupervisor)
        {
            log.Info("no supervisor on the bus, probed the services directly");
        }

        switch (result.Outcome)
        {
            case ReadinessOutcome.Ready:
                return;
            case ReadinessOutcome.TimedOut:
                log.Warn("services not ready in time, launching anyway", ("timeout", Seconds(timeout.TotalSeconds) + "s"));
                break;
        }

        foreach (var (name, status) in result.Last?.Services ?? new Dictionary<string, ServiceStatus>())
        {
            if (status.State is EntryStates.Ready or EntryStates.Skipped)
            {
                continue;
            }

            log.Warn(status.State == EntryStates.Failed ? "service failed, launching anyway" : "service not ready, launching anyway",
                ("service", name), ("state", status.State), LogField.Quoted("reason", status.Detail.Length > 0 ? status.Detail : status.State),
                ("seconds", Seconds(status.Seconds)));
        }
    }

    /// <summary>AI_READY_TIMEOUT in seconds (decimals allowed); default 60 s.</summary>
    /// <exception cref="FormatException">Not a non-negative number.</exception>
    public static TimeSpan ParseTimeout(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultTimeout;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 86400)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        throw new FormatException(value);
    }

    private static string Seconds(double seconds) => seconds.ToString("0.#", CultureInfo.InvariantCulture);
}
