using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Extensions.Http;
using Polly.Timeout;

namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>
/// The one HTTP pipeline every OAuth call goes through: IHttpClientFactory with a Polly retry around a
/// per-attempt timeout. Network errors, attempt timeouts and 5xx are retried with jittered exponential
/// back-off, a bounded number of times; 4xx (including 429 rate_limit_error) is returned to the caller
/// at once, because retrying a rate limit inside one cycle only deepens it.
/// </summary>
internal static class OAuthHttp
{
    public const string ClientName = "oauth";

    /// <summary>Registers the named client <see cref="ClientName"/> with its policies.</summary>
    public static IServiceCollection AddOAuthHttp(this IServiceCollection services, RefresherOptions options)
    {
        var attemptTimeout = Policy.TimeoutAsync<HttpResponseMessage>(options.HttpTimeout, TimeoutStrategy.Optimistic);
        var retry = HttpPolicyExtensions
            .HandleTransientHttpError()
            .Or<TimeoutRejectedException>()
            .WaitAndRetryAsync(options.HttpRetries, attempt => Backoff(options.HttpRetryDelay, attempt));

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

    /// <summary>A factory that owns its service provider: for commands that build no host.</summary>
    public static OwnedHttpClientFactory CreateFactory(RefresherOptions options)
    {
        var provider = new ServiceCollection().AddOAuthHttp(options).BuildServiceProvider();
        return new OwnedHttpClientFactory(provider);
    }

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
