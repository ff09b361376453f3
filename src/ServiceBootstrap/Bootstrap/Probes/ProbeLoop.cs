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
            // The bound runs on the time provider, so a test's fake clock cuts a hung attempt as the real one does.
            using var bound = new CancellationTokenSource(remaining < attemptTimeout ? remaining : attemptTimeout, time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
            try
            {
                // WaitAsync as well: a client library that ignores cancellation mid-handshake must not stretch the deadline.
                await probe.ProbeAsync(attempt.Token).WaitAsync(attempt.Token).ConfigureAwait(false);
                return new ProbeOutcome(true, "accepting work", attempts);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // An attempt cut short by the deadline says nothing about the server; the attempt before it
                // does ("Connection refused"), so that reason stays. Measured: under load the last attempt
                // got a few milliseconds and the deadline was reported as "no answer within 0s".
                if (remaining >= attemptTimeout || attempts == 1)
                {
                    lastError = $"no answer within {Math.Min(remaining.TotalSeconds, attemptTimeout.TotalSeconds):0.##}s";
                }
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

    /// <summary>
    /// The error and its causes on one line ("Failed to connect to 127.0.0.1:5432: Connection refused"):
    /// clients wrap the socket error that says what really happened.
    /// </summary>
    public static string OneLine(Exception e)
    {
        var text = new System.Text.StringBuilder();
        for (var (current, depth) = (e, 0); current is not null && depth < 4; current = current.InnerException, depth++)
        {
            var message = current.Message.ReplaceLineEndings(" ").Trim();
            if (current is AggregateException || message.Length == 0 || text.ToString().Contains(message, StringComparison.Ordinal))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(": ");
            }

            text.Append(message);
        }

        return text.Length > 240 ? text.ToString(0, 240) + "…" : text.ToString();
    }
}
