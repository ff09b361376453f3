namespace AiSandbox.TestSupport.Servers;

/// <summary>PostgreSQL; AISANDBOX_TEST_PG holds an Npgsql connection string.</summary>
public sealed class PostgresServer() : ServerFixture("AISANDBOX_TEST_PG", "PostgreSQL server")
{
    protected override Task CheckReachableAsync(string address, CancellationToken cancellationToken)
    {
        var parts = address.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var host = parts.GetValueOrDefault("host", "127.0.0.1");
        var port = int.Parse(parts.GetValueOrDefault("port", "5432"), System.Globalization.CultureInfo.InvariantCulture);
        return ConnectTcpAsync(host, port, cancellationToken);
    }
}
