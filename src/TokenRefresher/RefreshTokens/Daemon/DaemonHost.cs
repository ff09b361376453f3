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
        // A stop waits for a refresh already sent: one attempt (OAUTH_HTTP_TIMEOUT, 15 s by default) plus its
        // two writes (10 s allowance) = 25 s; lock waits and retries not yet begun end at once. 5 s more for
        // the host's own teardown: 30 s by default, which TimeoutStopSec=45 in refresh-tokens.service exceeds.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = OAuthHttp.LongestInFlight(options) + TimeSpan.FromSeconds(5));

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

        // One line when the stop is asked for; a refresh under way still ends with its own "refreshed" line.
        var stopLogger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("refresh-tokens");
        using var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => DaemonLog.Stopping(stopLogger));
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
            // A stop during a lock wait of the first cycle: nothing was sent, nothing is being written.
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine(Logfmt.Format("fatal", null, e.Message, []));
            return 2;
        }

        return 0;
    }
}
