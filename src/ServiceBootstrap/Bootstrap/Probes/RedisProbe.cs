using System.Net;
using StackExchange.Redis;

namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>Connects and sends <c>PING</c>.</summary>
internal sealed class RedisProbe(string address, TimeSpan attemptTimeout) : IReadinessProbe
{
    private readonly EndPoint _endpoint = ParseEndpoint(address);

    public static EndPoint ParseEndpoint(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) ||
            port is <= 0 or > 65535)
        {
            throw new FormatException($"expected host:port, got \"{address}\"");
        }

        var host = address[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = true,
            ConnectRetry = 0,
            ConnectTimeout = (int)attemptTimeout.TotalMilliseconds,
            SyncTimeout = (int)attemptTimeout.TotalMilliseconds,
            AsyncTimeout = (int)attemptTimeout.TotalMilliseconds,
            ClientName = "ai-supervisor",
            // A bare server: no CONFIG or CLUSTER commands, no tie-breaker key, no pub/sub channel.
            CommandMap = CommandMap.Create(["CONFIG", "CLUSTER", "INFO", "SUBSCRIBE", "UNSUBSCRIBE"], available: false),
            TieBreaker = string.Empty,
            ConfigurationChannel = string.Empty,
        };
        options.EndPoints.Add(_endpoint);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        _ = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
