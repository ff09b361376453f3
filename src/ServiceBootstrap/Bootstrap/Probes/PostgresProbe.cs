using Npgsql;

namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>Opens a connection and runs <c>SELECT 1</c>: the server accepts logins and answers queries.</summary>
internal sealed class PostgresProbe : IReadinessProbe, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresProbe(string connectionString, TimeSpan attemptTimeout)
    {
        var seconds = (int)Math.Max(1, Math.Ceiling(attemptTimeout.TotalSeconds));
        // No pool: a pooled connection could hide a server that has just gone away. The slim builder
        // keeps Npgsql's reflection-based extras out of the NativeAOT binary.
        // Npgsql does not cancel a startup handshake the server never answers, only its own Timeout does.
        // No type loading: SELECT 1 needs only the built-in types, and reading pg_type on every new
        // connection was most of the probe's time (60-80 ms of PostgreSQL's 140-180 ms to ready at boot).
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = seconds, CommandTimeout = seconds };
        _dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString)
            .ConfigureTypeLoading(types => types.EnableTypeLoading(false))
            .Build();
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        _ = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
