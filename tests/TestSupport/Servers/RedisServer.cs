namespace AiSandbox.TestSupport.Servers;

/// <summary>Redis; AISANDBOX_TEST_REDIS holds host:port.</summary>
public sealed class RedisServer() : ServerFixture("AISANDBOX_TEST_REDIS", "Redis server")
{
    protected override Task CheckReachableAsync(string address, CancellationToken cancellationToken)
    {
        var (host, port) = HostPort.Parse(address, 6379);
        return ConnectTcpAsync(host, port, cancellationToken);
    }
}
