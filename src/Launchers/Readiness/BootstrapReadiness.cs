using AiSandbox.ServiceBootstrap.Readiness;
using Microsoft.Extensions.Logging.Abstractions;
using Wire = AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// The launchers' wait, over ServiceBootstrap's <see cref="ReadinessClient"/>: WaitReady on ai-supervisor
/// when it is on the bus, otherwise the same probes run in this process.
/// </summary>
internal sealed class BootstrapReadiness(Func<string, string?> env, TimeProvider time) : IReadinessWait
{
    // The client bounds its calls by the timeout; this only guards against a supervisor that never answers.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public async Task<ReadinessResult> WaitAsync(TimeSpan timeout, Action<ReadinessSnapshot>? progress, CancellationToken cancellationToken)
    {
        var client = ReadinessClient.FromEnvironment(env, time, NullLogger.Instance);
        ReadinessSnapshot? last = null;
        var reporter = new Reporter(s =>
        {
            last = Convert(s);
            progress?.Invoke(last);
        });

        Wire.ReadinessSnapshot final;
        try
        {
            final = await client.WaitAsync(timeout, reporter, cancellationToken).WaitAsync(timeout + Grace, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new ReadinessResult(ReadinessOutcome.TimedOut, last, "the supervisor did not answer", client.UsedSupervisor);
        }

        var snapshot = Convert(final);
        progress?.Invoke(snapshot);
        var outcome = final.State switch
        {
            OverallStates.Ready => ReadinessOutcome.Ready,
            OverallStates.Degraded => ReadinessOutcome.Degraded,
            _ => ReadinessOutcome.TimedOut,
        };
        return new ReadinessResult(outcome, snapshot, null, client.UsedSupervisor);
    }

    private static ReadinessSnapshot Convert(Wire.ReadinessSnapshot s) =>
        new(s.State, s.Services.ToDictionary(p => p.Key, p => new ServiceStatus(p.Value.State, p.Value.Detail, p.Value.Seconds), StringComparer.Ordinal));

    // Progress<T> posts to the thread pool; the display wants each snapshot now and in order.
    private sealed class Reporter(Action<Wire.ReadinessSnapshot> report) : IProgress<Wire.ReadinessSnapshot>
    {
        private readonly Lock _gate = new();

        public void Report(Wire.ReadinessSnapshot value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
