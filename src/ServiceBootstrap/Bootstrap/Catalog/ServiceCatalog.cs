using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.ServiceBootstrap.Catalog;

public enum ServiceKind
{
    Postgres,
    Amqp,
    Redis,
}

/// <summary>One service the supervisor can start and probe (<see cref="ServiceOptions"/> documents each part).</summary>
public sealed record CatalogEntry(string Name, ServiceKind Kind, string Unit, string Address, TimeSpan Deadline, bool Enabled, bool StartWithBoot = false);

/// <summary>The services in their fixed order (postgresql, lavinmq, redis), plus the bundle step.</summary>
public sealed class ServiceCatalog
{
    public const string Bundle = EntryNames.Bundle;

    public ServiceCatalog(SupervisorOptions options)
    {
        Options = options;
        _ = TryParseServices(options.Services, out var enabled);
        Services =
        [
            Entry(ServiceNames.PostgreSql, ServiceKind.Postgres, options.Postgresql, enabled),
            Entry(ServiceNames.Amqp, ServiceKind.Amqp, options.Lavinmq, enabled),
            Entry(ServiceNames.Redis, ServiceKind.Redis, options.Redis, enabled),
        ];
    }

    public SupervisorOptions Options { get; }

    public IReadOnlyList<CatalogEntry> Services { get; }

    /// <summary>Every entry name as published on D-Bus, in display order.</summary>
    public IEnumerable<string> AllNames => Services.Select(s => s.Name).Append(Bundle);

    public CatalogEntry? Find(string name) => Services.FirstOrDefault(s => s.Name == name);

    /// <summary>Parses "postgresql,redis" or "none"; returns an error text, or null when valid.</summary>
    public static string? TryParseServices(string? value, out HashSet<string> enabled)
    {
        enabled = new HashSet<string>(StringComparer.Ordinal);
        var text = (value ?? string.Empty).Trim();
        if (text.Length == 0 || text == "none")
        {
            return null;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant() switch
            {
                "amqp" or "rabbitmq" => ServiceNames.Amqp,
                "postgres" or "pg" => ServiceNames.PostgreSql,
                "redis-server" => ServiceNames.Redis,
                var other => other,
            };
            if (!ServiceNames.All.Contains(name))
            {
                return $"unknown service \"{part}\" (known: {string.Join(", ", ServiceNames.All)}, or none)";
            }

            enabled.Add(name);
        }

        return null;
    }

    private static CatalogEntry Entry(string name, ServiceKind kind, ServiceOptions o, HashSet<string> enabled) =>
        new(name, kind, o.Unit, o.Address, TimeSpan.FromSeconds(o.DeadlineSeconds), enabled.Contains(name), o.StartWithBoot);
}
