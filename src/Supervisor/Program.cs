using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Common.Systemd;
using AiSandbox.Launchers.Start;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.Supervisor;
using AiSandbox.Supervisor.Generator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

var context = CommandContext.FromProcess(args);

// By argv[0] alone: as a CliVerb, the generator's name would also be a first word of ai-supervisor.
if (context.Name == GeneratorCommand.Name)
{
    return GeneratorCommand.Run(context, ManagerEnvironment.Read(), BootGenerator.SystemUnitDirs);
}

// s shares this binary, which links the probe clients it falls back to without a supervisor.
if (StartProgram.Answers(context.Name))
{
    return await StartProgram.RunAsync(context);
}

if (SupervisorCommandLine.Read(context) is { } exitCode)
{
    return exitCode;
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
