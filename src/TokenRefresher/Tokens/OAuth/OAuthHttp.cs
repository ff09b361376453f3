using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Timeout;

namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>
/// The one HTTP pipeline every OAuth call goes through: IHttpClientFactory with a Polly retry around a
/// per-attempt timeout. Only a failure to connect (DNS, refused, TLS handshake) is retried, with jittered
/// exponential back-off, a bounded number of times: the request never left this machine, so sending it
/// again cannot spend a refresh token twice. An attempt timeout, any HTTP answer (5xx included) and a
/// connection that ends after the request was written are returned to the caller at once, because the
/// server may already have rotated the token (see <see cref="TokenOutcome.Uncertain"/>).
/// </summary>
public static class OAuthHttp
{
    public const string ClientName = "oauth";

    /// <summary>The Polly context key of the token that stops retries that have not started yet.</summary>
    internal const string StoppingKey = "stopping";

    /// <summary>Registers the named client <see cref="ClientName"/> with its policies.</summary>
    public static IServiceCollection AddOAuthHttp(this IServiceCollection services, RefresherOptions options)
    {
        var attemptTimeout = Policy.TimeoutAsync<HttpResponseMessage>(options.HttpTimeout, TimeoutStrategy.Optimistic);
        var retry = Policy<HttpResponseMessage>
            .Handle<HttpRequestException>(IsConnectFailure)
            .WaitAndRetryAsync(
                options.HttpRetries,
                (attempt, _) => Backoff(options.HttpRetryDelay, attempt),
                (_, _, _, context) =>
                {
                    // A stop ends the work that has not begun: the next connection attempt is not made.
                    if (context.TryGetValue(StoppingKey, out var value) && value is CancellationToken { IsCancellationRequested: true })
                    {
                        throw new OperationCanceledException("stopped before retrying");
                    }

                    return Task.CompletedTask;
                });

        services.AddHttpClient(ClientName, client =>
            {
                // The policies bound each attempt; this only guards against a policy bug.
                client.Timeout = (options.HttpTimeout + options.HttpRetryDelay * 8) * (options.HttpRetries + 2);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
                UseProxy = true,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddPolicyHandler(retry)
            .AddPolicyHandler(attemptTimeout);
        return services;
    }

    /// <summary>
    /// True when the request cannot have reached the server: the name did not resolve, or no connection
    /// (TCP or TLS) was established. Every request is sent on a new connection (Connection: close), so a
    /// connection error is never the end of a reused connection after our bytes went out.
    /// </summary>
    internal static bool IsConnectFailure(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

    /// <summary>A factory that owns its service provider: for commands that build no host.</summary>
    internal static OwnedHttpClientFactory CreateFactory(RefresherOptions options)
    {
        var provider = new ServiceCollection().AddOAuthHttp(options).BuildServiceProvider();
        return new OwnedHttpClientFactory(provider);
    }

    /// <summary>
    /// The longest a refresh that is already under way can still take: one attempt (a sent request is
    /// bounded only by its own timeout) plus its writes. A stop waits this long at most; retries that have
    /// not started are dropped on a stop.
    /// </summary>
    public static TimeSpan LongestInFlight(RefresherOptions options) => options.HttpTimeout + WriteAllowance;

    /// <summary>
    /// The longest one token request can take from the caller's side: every attempt timing out, with the
    /// longest back-off between them. A watchdog is fed while a request is waited for, but no longer than this,
    /// so a request that hangs past its own bounds stops the pings.
    /// </summary>
    public static TimeSpan LongestRequest(RefresherOptions options)
    {
        var total = options.HttpTimeout * (options.HttpRetries + 1);
        for (var attempt = 1; attempt <= options.HttpRetries; attempt++)
        {
            total += options.HttpRetryDelay * Math.Pow(2, attempt - 1);
        }

        return total;
    }

    /// <summary>Two fsync'd atomic writes (settings copy, served copy) on a slow disk.</summary>
    internal static readonly TimeSpan WriteAllowance = TimeSpan.FromSeconds(10);

    // Full jitter around the doubled delay keeps many containers from retrying in step.
    internal static TimeSpan Backoff(TimeSpan first, int attempt)
    {
        var ceiling = first.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}

/// <summary>An <see cref="IHttpClientFactory"/> plus the container that created it.</summary>
internal sealed class OwnedHttpClientFactory(ServiceProvider provider) : IHttpClientFactory, IDisposable
{
    private readonly IHttpClientFactory _inner = provider.GetRequiredService<IHttpClientFactory>();

    public HttpClient CreateClient(string name) => _inner.CreateClient(name);

    public void Dispose() => provider.Dispose();
}
