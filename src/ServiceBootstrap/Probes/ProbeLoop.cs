using AiSandbox.ServiceBootstrap.Catalog;

namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>The outcome of probing until ready or until the deadline.</summary>
internal sealed record ProbeOutcome(bool Ready, string Detail, int Attempts);

/// <summary>
/// Retries a probe: quickly at first (a fresh server answers within tens of milliseconds), then backing
/// off so a slow broker is not hammered, until the service's deadline. Every attempt is bounded, so a
/// server that accepts TCP but never answers still ends at its deadline.
/// </summary>
internal sealed class ProbeLoop(ProbeOptions options, TimeProvider time)
{
    public async Task<ProbeOutcome> RunAsync(IReadinessProbe probe, long startTimestamp, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(options.InitialDelayMilliseconds);
        var maxDelay = TimeSpan.FromMilliseconds(options.MaxDelayMilliseconds);
        var attemptTimeout = TimeSpan.FromMilliseconds(options.AttemptTimeoutMilliseconds);
        var lastError = "no attempt made";
        var attempts = 0;
        while (true)
        {
            var remaining = deadline - time.GetElapsedTime(startTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                return new ProbeOutcome(false, $"deadline {deadline.TotalSeconds:0.#}s exceeded: {lastError}", attempts);
            }

            attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(remaining < attemptTimeout ? remaining : attemptTimeout);
            try
            {
                await probe.ProbeAsync(attempt.Token).ConfigureAwait(false);
                return new ProbeOutcome(true, "accepting work", attempts);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = $"no answer within {Math.Min(remaining.TotalSeconds, attemptTimeout.TotalSeconds):0.##}s";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lastError = OneLine(e);
            }

            remaining = deadline - time.GetElapsedTime(startTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                continue;
            }

            await Task.Delay(delay < remaining ? delay : remaining, time, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < maxDelay ? delay * 2 : maxDelay;
        }
    }

    /// <summary>The innermost useful message on one line: clients wrap socket errors several times.</summary>
    public static string OneLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is { } next && inner is AggregateException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            inner = next;
        }

        var text = inner.Message.ReplaceLineEndings(" ").Trim();
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
