using Microsoft.Extensions.Options;

namespace AiSandbox.ServiceBootstrap.Catalog;

/// <summary>Checked at start (ValidateOnStart): a typo in a unit name or address fails fast, naming the key.</summary>
internal sealed class SupervisorOptionsValidator : IValidateOptions<SupervisorOptions>
{
    public ValidateOptionsResult Validate(string? name, SupervisorOptions options)
    {
        var errors = new List<string>();
        if (ServiceCatalog.TryParseServices(options.Services, out _) is { } servicesError)
        {
            errors.Add($"Supervisor:Services (AI_SERVICES): {servicesError}");
        }

        Check(errors, "Postgresql", options.Postgresql, address => _ = new Npgsql.NpgsqlConnectionStringBuilder(address));
        Check(errors, "Lavinmq", options.Lavinmq, address =>
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            {
                throw new FormatException("expected an amqp:// URI");
            }
        });
        Check(errors, "Redis", options.Redis, address => _ = Probes.RedisProbe.ParseEndpoint(address));
        if (string.IsNullOrWhiteSpace(options.Bundle.Gemfile) || string.IsNullOrWhiteSpace(options.Bundle.LockPath) ||
            string.IsNullOrWhiteSpace(options.Bundle.Command))
        {
            errors.Add("Supervisor:Bundle: Gemfile, LockPath and Command must be set");
        }

        if (options.Bundle.DeadlineSeconds <= 0)
        {
            errors.Add("Supervisor:Bundle:DeadlineSeconds must be > 0");
        }

        if (options.Probe.InitialDelayMilliseconds <= 0 || options.Probe.MaxDelayMilliseconds < options.Probe.InitialDelayMilliseconds ||
            options.Probe.AttemptTimeoutMilliseconds <= 0)
        {
            errors.Add("Supervisor:Probe: delays and attempt timeout must be > 0, MaxDelayMilliseconds >= InitialDelayMilliseconds");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string key, ServiceOptions service, Action<string> parseAddress)
    {
        if (!service.Unit.EndsWith(".service", StringComparison.Ordinal) || service.Unit.Length <= ".service".Length)
        {
            errors.Add($"Supervisor:{key}:Unit must name a .service unit, got \"{service.Unit}\"");
        }

        if (service.DeadlineSeconds <= 0)
        {
            errors.Add($"Supervisor:{key}:DeadlineSeconds must be > 0");
        }

        try
        {
            parseAddress(service.Address);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or KeyNotFoundException)
        {
            errors.Add($"Supervisor:{key}:Address is not valid: {e.Message}");
        }
    }
}
