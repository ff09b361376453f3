using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Common.Systemd;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.Supervisor;
using AiSandbox.Supervisor.Generator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

const string usage = """
    Usage: ai-supervisor [-h|--help]

    Starts PostgreSQL, the AMQP broker and Redis through systemd, probes them until they accept work,
    runs bundle install when /app/Gemfile exists, and publishes readiness on D-Bus
    (org.aisandbox.Supervisor1 on the system bus) and through sd_notify. Runs as ai-supervisor.service.

    Configuration: /etc/ai-supervisor/appsettings.json (or AI_SUPERVISOR_CONFIG), Supervisor__* variables,
    AI_SERVICES=postgresql,lavinmq,redis|none, DBUS_SYSTEM_BUS_ADDRESS. See docs/configuration.md.

    Run as ai-supervisor-generator (a link), it is the systemd generator that starts the selected services
    at the beginning of the boot; see ai-supervisor-generator --help.

    Exit codes: 0 stopped cleanly, 1 failed to start (bad configuration), 2 bad command line.

    """;

var context = CommandContext.FromProcess(args);
if (context.Name == GeneratorCommand.Name)
{
    return GeneratorCommand.Run(context, ManagerEnvironment.Read(), BootGenerator.SystemUnitDirs);
}

try
{
    foreach (var arg in args)
    {
        if (arg is "-h" or "--help")
        {
            context.Stdout.Write(usage);
            return ExitCodes.Ok;
        }

        throw arg.StartsWith('-') ? UsageException.UnknownOption(arg) : UsageException.UnexpectedArgument(arg);
    }
}
catch (UsageException e)
{
    return e.Report(context.Stderr, usage);
}

// An empty builder: no file watchers, no command-line or user-secrets sources, nothing walking "/".
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSystemd();
builder.Logging.AddLogfmtConsole();
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
builder.Services.AddSupervisorOptions(builder.Configuration, context.Env);
builder.Services.AddSingleton<SupervisorService>();
builder.Services.AddSingleton(sp => new Watchdog(Watchdog.TimeoutFromEnvironment(context.Env),
    () => sp.GetRequiredService<ISystemdNotifier>().Notify(new ServiceState("WATCHDOG=1")), sp.GetRequiredService<TimeProvider>()));
builder.Services.AddHostedService(sp => sp.GetRequiredService<SupervisorService>());

try
{
    var configFile = context.EnvOr("AI_SUPERVISOR_CONFIG", SupervisorConfiguration.DefaultFile);
    try
    {
        // ConfigurationManager loads the file here, not at Build().
        builder.Configuration.AddJsonFile(configFile, optional: true, reloadOnChange: false).AddEnvironmentVariables();
    }
    catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
    {
        throw SupervisorConfiguration.Unreadable(configFile, e);
    }

    using var host = builder.Build();
    await host.RunAsync();
    return ExitCodes.Ok;
}
catch (OptionsValidationException e)
{
    context.Stderr.WriteLine(Logfmt.Format("fatal", context.Time.GetUtcNow(), "invalid configuration", [new LogField("error", string.Join("; ", e.Failures))]));
    return ExitCodes.Failure;
}
