using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.OAuth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiSandbox.TokenRefresher.Daemon;

/// <summary>
/// The <c>--daemon</c> host: an empty Generic Host (no configuration files, so no file watchers on the
/// working directory), AddSystemd for READY/STOPPING and SIGTERM, logfmt on stdout with journald
/// priorities under systemd, and the OAuth HTTP pipeline.
/// </summary>
internal static class DaemonHost
{
    public static async Task<int> RunAsync(RefresherOptions options, Func<string, string?> env, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "refresh-tokens" });
        builder.Services.AddSystemd();
        // Outside a systemd unit AddSystemd registers no notifier; this one is a no-op without NOTIFY_SOCKET
        // and still reaches a socket a test or `podman run --sdnotify` hands us.
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Logging.AddLogfmtConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        builder.Services.AddSingleton(options);
        builder.Services.AddOAuthHttp(options);
        builder.Services.AddOptions<DaemonOptions>()
            .Configure(o => o.Watchdog = DaemonOptions.WatchdogFromEnvironment(env))
            .Validate(o => o.Watchdog is null || o.Watchdog >= TimeSpan.FromSeconds(1), "WATCHDOG_USEC must be at least one second")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new TokenChains(
            options,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("refresh-tokens"),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IHttpClientFactory>()));
        builder.Services.AddSingleton<RefreshDaemon>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RefreshDaemon>());

        using var host = builder.Build();
        var daemon = host.Services.GetRequiredService<RefreshDaemon>();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            if (daemon.Failed)
            {
                return 1;
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM during the first cycle: nothing was being written (writes are never cancelled).
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine(Logfmt.Format("fatal", null, e.Message, []));
            return 2;
        }

        return 0;
    }
}
