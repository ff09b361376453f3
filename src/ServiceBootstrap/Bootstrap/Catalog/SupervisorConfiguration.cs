using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiSandbox.ServiceBootstrap.Catalog;

/// <summary>Where the catalog comes from, for the daemon and for in-process fallbacks alike.</summary>
public static class SupervisorConfiguration
{
    /// <summary>Installed next to the binary's unit; optional.</summary>
    public const string DefaultFile = "/etc/ai-supervisor/appsettings.json";

    /// <summary>AI_SERVICES and DBUS_SYSTEM_BUS_ADDRESS win over configuration files.</summary>
    public static void ApplyEnvironment(SupervisorOptions options, Func<string, string?> env)
    {
        if (env("AI_SERVICES") is { } services)
        {
            options.Services = services;
        }

        if (string.IsNullOrWhiteSpace(options.BusAddress))
        {
            options.BusAddress = Readiness.SupervisorBus.SystemBusAddress(env);
        }
    }

    /// <summary>For commands: the JSON file (AI_SUPERVISOR_CONFIG or the default) and Supervisor__* variables.</summary>
    public static SupervisorOptions Load(Func<string, string?> env)
    {
        var file = env("AI_SUPERVISOR_CONFIG") is { Length: > 0 } f ? f : DefaultFile;
        IConfiguration config;
        try
        {
            config = new ConfigurationBuilder()
                .AddJsonFile(file, optional: true, reloadOnChange: false)
                .AddEnvironmentVariables()
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw Unreadable(file, e);
        }

        return Load(config, env);
    }

    /// <summary>
    /// A catalog file that cannot be read or parsed, as the same kind of failure as an invalid value, so
    /// every command reports it in its one fatal line instead of a stack trace.
    /// </summary>
    public static OptionsValidationException Unreadable(string file, Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException json)
            {
                return Failure($"{file} is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine})");
            }
        }

        return Failure(e is InvalidDataException ? $"{file} cannot be loaded" : $"{file} cannot be read: {e.Message}");

        static OptionsValidationException Failure(string message) =>
            new(SupervisorOptions.Section, typeof(SupervisorOptions), [message]);
    }

    /// <exception cref="OptionsValidationException">The catalog is not valid; the message names the key.</exception>
    public static SupervisorOptions Load(IConfiguration config, Func<string, string?> env)
    {
        var options = new SupervisorOptions();
        config.GetSection(SupervisorOptions.Section).Bind(options);
        ApplyEnvironment(options, env);
        var result = new SupervisorOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(SupervisorOptions.Section, typeof(SupervisorOptions), result.Failures ?? []);
        }

        return options;
    }
}

public static class SupervisorOptionsServiceCollectionExtensions
{
    /// <summary>Binds the Supervisor section, applies AI_SERVICES and the bus address, validates at start.</summary>
    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddSupervisorOptions(
        this Microsoft.Extensions.DependencyInjection.IServiceCollection services, IConfiguration configuration, Func<string, string?> env)
    {
        Microsoft.Extensions.DependencyInjection.OptionsBuilderExtensions.ValidateOnStart(
            Microsoft.Extensions.DependencyInjection.OptionsServiceCollectionExtensions.AddOptions<SupervisorOptions>(services)
                .Configure(o => configuration.GetSection(SupervisorOptions.Section).Bind(o))
                .PostConfigure(o => SupervisorConfiguration.ApplyEnvironment(o, env)));
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IValidateOptions<SupervisorOptions>, SupervisorOptionsValidator>(services);
        return services;
    }
}
