using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Supervision;
using AiSandbox.ServiceBootstrap.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>
/// What launchers call in-process to learn whether the services are usable. With ai-supervisor on the
/// system bus it calls WaitReady and reports StateChanged as progress; with no supervisor (or no bus)
/// it does the same work itself with the same probe code, so a plain <c>podman run</c> still works.
/// </summary>
internal sealed class ReadinessClient
{
    /// <summary>WaitReady is called in slices: a bus's reply timeout (25 s by default) must never cut a long wait.</summary>
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(20);

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
    /// final snapshot. Without a supervisor the services are only probed (nothing is started).
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
        DBusConnection? connection = null;
        try
        {
            connection = new DBusConnection(_options.BusAddress);
            await connection.ConnectAsync().ConfigureAwait(false);
            // Asking the supervisor directly tells whether it is there (ServiceUnknown when not), and when
            // the services are already settled, as for every launch after boot, this one call is all.
            var current = await SupervisorCalls.GetSnapshotAsync(connection).ConfigureAwait(false);
            UsedSupervisor = true;
            var final = !start && current.State != OverallStates.Starting
                ? current
                : await ViaSupervisorAsync(connection, timeout, progress, start, cancellationToken).ConfigureAwait(false);
            // Signals are handled on their own thread and can arrive after the reply that ends the wait:
            // the answer itself is always the last report.
            progress?.Report(final);
            return final;
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NoReply"
                                                    or "org.freedesktop.DBus.Error.NameHasNoOwner")
        {
            // No supervisor on the bus, or it went away mid-wait (stopped, or restarting): do the work here instead.
            UsedSupervisor = false;
        }
        catch (Exception e) when (e is DBusConnectionException or IOException or System.Net.Sockets.SocketException)
        {
            connection?.Dispose();
            connection = null;
        }

        try
        {
            return await InProcessAsync(start ? connection : null, timeout, progress, start, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private async Task<ReadinessSnapshot> ViaSupervisorAsync(DBusConnection connection, TimeSpan timeout,
        IProgress<ReadinessSnapshot>? progress, bool start, CancellationToken cancellationToken)
    {
        using var signals = await connection.WatchSignalAsync(
            SupervisorBus.Name, SupervisorBus.Path, SupervisorBus.Interface, "StateChanged",
            static (message, _) => SnapshotWire.ReadSnapshot(message),
            (Notification<ReadinessSnapshot> n) =>
            {
                if (!n.IsCompletion)
                {
                    progress?.Report(n.Value);
                }
            },
            ObserverFlags.None,
            emitOnCapturedContext: false).ConfigureAwait(false);

        var current = await SupervisorCalls.GetSnapshotAsync(connection).ConfigureAwait(false);
        progress?.Report(current);
        if (start)
        {
            foreach (var (name, status) in current.Services)
            {
                var wanted = name == ServiceCatalog.Bundle
                    ? status.State == EntryStates.Failed
                    : status.State is EntryStates.Failed or EntryStates.Skipped or EntryStates.Pending;
                if (wanted)
                {
                    await SupervisorCalls.RestartAsync(connection, name).ConfigureAwait(false);
                }
            }
        }

        var started = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = timeout - _time.GetElapsedTime(started);
            var slice = remaining < Slice ? remaining : Slice;
            var snapshot = await SupervisorCalls.WaitReadyAsync(connection, slice < TimeSpan.Zero ? TimeSpan.Zero : slice)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_time.GetElapsedTime(started) >= timeout)
            {
                return snapshot;
            }

            if (snapshot.State != OverallStates.Starting)
            {
                // WaitReady answers at the first failure; s wants every entry's final word.
                return start ? await UntilAllSettledAsync(connection, snapshot, started, timeout, cancellationToken).ConfigureAwait(false) : snapshot;
            }
        }
    }

    private async Task<ReadinessSnapshot> UntilAllSettledAsync(DBusConnection connection, ReadinessSnapshot snapshot, long started,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (!snapshot.AllSettled && _time.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
            snapshot = await SupervisorCalls.GetSnapshotAsync(connection).ConfigureAwait(false);
        }

        return snapshot;
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
