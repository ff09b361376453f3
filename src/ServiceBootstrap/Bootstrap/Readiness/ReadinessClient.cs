using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Supervision;
using AiSandbox.ServiceBootstrap.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>
/// What <c>s</c> (and the launchers' no-supervisor helper) calls to learn whether the services are usable.
/// With ai-supervisor on the system bus it asks it (<see cref="SupervisorReadiness"/>); with no supervisor
/// (or no bus) it does the same work itself with the same probe code, so a plain <c>podman run</c> still works.
/// </summary>
public sealed class ReadinessClient
{
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ReadinessClient(SupervisorOptions options, TimeProvider time, ILogger? logger = null)
    {
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The catalog from /etc/ai-supervisor/appsettings.json (or AI_SUPERVISOR_CONFIG) and the environment.</summary>
    public static ReadinessClient FromEnvironment(Func<string, string?> env, TimeProvider time, ILogger? logger = null) =>
        new(SupervisorConfiguration.Load(env), time, logger);

    /// <summary>Where the answer came from: the supervisor, or this process's own probes.</summary>
    public bool UsedSupervisor { get; private set; }

    /// <summary>
    /// Waits until State is not <c>starting</c> or <paramref name="timeout"/> elapses, and returns the
    /// final snapshot, which is also the last report to <paramref name="progress"/>. Without a supervisor
    /// the services are only probed (nothing is started).
    /// </summary>
    public Task<ReadinessSnapshot> WaitAsync(TimeSpan timeout, IProgress<ReadinessSnapshot>? progress, CancellationToken cancellationToken) =>
        RunAsync(timeout, progress, start: false, cancellationToken);

    /// <summary>
    /// What <c>s</c> does: asks the supervisor to start every service that is not running (failed or
    /// not enabled at boot) and the bundle step if it failed, then waits until every entry is ready,
    /// failed or skipped (or the timeout).
    /// Without a supervisor it starts the units through systemd itself (when reachable), probes them
    /// and runs the bundle step in this process.
    /// </summary>
    public Task<ReadinessSnapshot> StartAsync(TimeSpan timeout, IProgress<ReadinessSnapshot>? progress, CancellationToken cancellationToken) =>
        RunAsync(timeout, progress, start: true, cancellationToken);

    private async Task<ReadinessSnapshot> RunAsync(TimeSpan timeout, IProgress<ReadinessSnapshot>? progress, bool start, CancellationToken cancellationToken)
    {
        var viaSupervisor = await new SupervisorReadiness(_options.BusAddress, _time).TryWaitAsync(timeout, progress, start, cancellationToken)
            .ConfigureAwait(false);
        UsedSupervisor = viaSupervisor is not null;
        if (viaSupervisor is not null)
        {
            return viaSupervisor;
        }

        // No supervisor: do the work here. Starting units still goes through systemd when the bus has it.
        var connection = start ? await TryConnectAsync(_options.BusAddress).ConfigureAwait(false) : null;
        try
        {
            // As on the supervisor path, the answer is the last progress report: callers show progress
            // only, and a timed-out wait's elapsed seconds are in the answer alone.
            var final = await InProcessAsync(connection, timeout, progress, start, cancellationToken).ConfigureAwait(false);
            progress?.Report(final);
            return final;
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private static async Task<DBusConnection?> TryConnectAsync(string address)
    {
        var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            return connection;
        }
        catch (Exception e) when (SupervisorBus.IsUnreachable(e))
        {
            connection.Dispose();
            return null;
        }
    }

    private async Task<ReadinessSnapshot> InProcessAsync(DBusConnection? connection, TimeSpan timeout,
        IProgress<ReadinessSnapshot>? progress, bool start, CancellationToken cancellationToken)
    {
        var options = _options;
        if (!start)
        {
            // Waiting only: probe what should be running; installing gems is the supervisor's or s's job.
            options = WithoutBundle(options);
        }

        var catalog = new ServiceCatalog(options);
        await using var supervisor = new ServiceSupervisor(catalog, _time, _logger);
        supervisor.Board.Changed += change => progress?.Report(change.Snapshot);
        SystemdManager? systemd = null;
        if (connection is not null)
        {
            try
            {
                var names = await connection.ListServicesAsync().ConfigureAwait(false);
                if (names.Contains(SystemdManager.Service))
                {
                    systemd = new SystemdManager(connection);
                    await systemd.InitializeAsync().ConfigureAwait(false);
                }
            }
            catch (DBusExceptionBase)
            {
                systemd?.Dispose();
                systemd = null;
            }
        }

        try
        {
            await supervisor.AttachAsync(systemd).ConfigureAwait(false);
            if (start)
            {
                foreach (var service in catalog.Services.Where(s => !s.Enabled))
                {
                    supervisor.Restart(service.Name);
                }
            }

            return await supervisor.Board.WaitSettledAsync(timeout, cancellationToken, everyEntry: start).ConfigureAwait(false);
        }
        finally
        {
            systemd?.Dispose();
        }
    }

    private static SupervisorOptions WithoutBundle(SupervisorOptions o) => new()
    {
        Services = o.Services,
        BusAddress = o.BusAddress,
        Postgresql = o.Postgresql,
        Lavinmq = o.Lavinmq,
        Redis = o.Redis,
        Probe = o.Probe,
        // A Gemfile path that cannot exist marks the step skipped.
        Bundle = new BundleOptions { Gemfile = "/nonexistent/no-supervisor/Gemfile", LockPath = o.Bundle.LockPath, Command = o.Bundle.Command },
    };
}
