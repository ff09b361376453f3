using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

internal enum ReadinessOutcome
{
    Ready,
    Degraded,
    TimedOut,
}

/// <param name="ViaSupervisor">False when no supervisor answered and the services were probed in this process.</param>
internal sealed record ReadinessResult(ReadinessOutcome Outcome, ReadinessSnapshot? Last, string? Reason = null, bool ViaSupervisor = true);

/// <summary>Waits until the sandbox's services are ready (or degraded, or the time is up), reporting each snapshot on the way.</summary>
internal interface IReadinessWait
{
    Task<ReadinessResult> WaitAsync(TimeSpan timeout, Action<ReadinessSnapshot>? progress, CancellationToken cancellationToken);
}
