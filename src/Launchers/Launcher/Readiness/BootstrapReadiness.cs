using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// The launchers' wait: WaitReady on ai-supervisor when it is on the bus; otherwise the same ServiceBootstrap
/// probes, run by <see cref="ProbeHelper"/> in <c>ai-start</c>, so this binary links no probe client.
/// </summary>
internal sealed class BootstrapReadiness(IReadOnlyDictionary<string, string> environment, TimeProvider time)
    : IReadinessWait
{
    // The calls are bounded by the timeout; this only guards against a supervisor that never answers.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public async Task<ReadinessResult> WaitAsync(TimeSpan timeout, Action<ReadinessSnapshot>? progress, CancellationToken cancellationToken)
    {
        ReadinessSnapshot? last = null;
        var reporter = new Reporter(s =>
        {
            last = s;
            progress?.Invoke(s);
        });

        ReadinessSnapshot final;
        var viaSupervisor = true;
        try
        {
            var supervisor = new SupervisorReadiness(SupervisorBus.SystemBusAddress(name => LauncherHost.Lookup(environment, name)), time);
            var answer = await supervisor.TryWaitAsync(timeout, reporter, start: false, cancellationToken)
                .WaitAsync(timeout + Grace, time, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                viaSupervisor = false;
                answer = await new ProbeHelper(environment, time).WaitAsync(timeout, timeout + Grace, reporter, cancellationToken)
                    .ConfigureAwait(false);
            }

            final = answer;
        }
        catch (TimeoutException)
        {
            return new ReadinessResult(ReadinessOutcome.TimedOut, last, viaSupervisor ? "the supervisor did not answer" : "the probes did not answer", viaSupervisor);
        }

        // Both waits report their answer as their last progress; a late signal may still come after it,
        // and then the answer is shown again, so the display ends on it.
        if (!ReferenceEquals(final, last))
        {
            progress?.Invoke(final);
        }

        var outcome = final.State switch
        {
            OverallStates.Ready => ReadinessOutcome.Ready,
            OverallStates.Degraded => ReadinessOutcome.Degraded,
            _ => ReadinessOutcome.TimedOut,
        };
        return new ReadinessResult(outcome, final, null, viaSupervisor);
    }

    // Progress<T> posts to the thread pool; the display wants each snapshot now and in order.
    private sealed class Reporter(Action<ReadinessSnapshot> report) : IProgress<ReadinessSnapshot>
    {
        private readonly Lock _gate = new();

        public void Report(ReadinessSnapshot value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
