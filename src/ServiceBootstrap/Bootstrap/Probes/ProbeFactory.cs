using AiSandbox.ServiceBootstrap.Catalog;

namespace AiSandbox.ServiceBootstrap.Probes;

internal static class ProbeFactory
{
    public static IReadinessProbe Create(CatalogEntry entry, ProbeOptions options)
    {
        var attempt = TimeSpan.FromMilliseconds(options.AttemptTimeoutMilliseconds);
        return entry.Kind switch
        {
            ServiceKind.Postgres => new PostgresProbe(entry.Address, attempt),
            ServiceKind.Redis => new RedisProbe(entry.Address, attempt),
            ServiceKind.Amqp => new AmqpProbe(entry.Address, attempt),
            _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Kind, "unknown service kind"),
        };
    }
}
