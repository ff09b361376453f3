using RabbitMQ.Client;

namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>Opens a connection and a channel: the broker finished booting and accepts clients.</summary>
internal sealed class AmqpProbe(string uri, TimeSpan attemptTimeout) : IReadinessProbe
{
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(uri),
            RequestedConnectionTimeout = attemptTimeout,
            HandshakeContinuationTimeout = attemptTimeout,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            ClientProvidedName = "ai-supervisor probe",
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
    }
}
