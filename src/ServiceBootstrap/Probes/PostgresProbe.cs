using Npgsql;

namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>Opens a connection and runs <c>SELECT 1</c>: the server accepts logins and answers queries.</summary>
internal sealed class PostgresProbe : IReadinessProbe, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresProbe(string connectionString)
    {
        // No pool: a pooled connection could hide a server that has just gone away. The slim builder
        // keeps Npgsql's reflection-based extras out of the NativeAOT binary.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        _dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString).Build();
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        _ = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
