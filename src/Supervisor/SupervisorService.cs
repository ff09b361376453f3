using AiSandbox.Common.Systemd;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Probes;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Supervision;
using AiSandbox.ServiceBootstrap.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor;

/// <summary>
/// Keeps ai-supervisor on the system bus: connect, own org.aisandbox.Supervisor1, export the object,
/// subscribe to systemd, hand the connection to the <see cref="ServiceSupervisor"/>; when the bus
/// drops, reconnect with back-off and let the supervisor rebuild its state from systemd. The loop's body
/// is one method, <see cref="StepAsync"/>, which tests call with a fake clock. The watchdog is fed from
/// that step only, and only after a round trip on the bus and through the supervisor's state
/// (<see cref="ProveAliveAsync"/>): a supervisor whose loop, locks or bus connection hang stops pinging.
/// </summary>
internal sealed partial class SupervisorService : BackgroundService
{
    private static readonly TimeSpan FirstConnectWait = TimeSpan.FromSeconds(10);
    private readonly SupervisorOptions _options;
    private readonly ServiceSupervisor _supervisor;
    private readonly StatusPublisher _status;
    private readonly MemoryTrimmer _trimmer;
    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<SupervisorService> _logger;
    private readonly Watchdog _watchdog;
    private readonly TaskCompletionSource _firstUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _backoff = TimeSpan.Zero;
    private SystemdManager? _systemd;

    public SupervisorService(IOptions<SupervisorOptions> options, ISystemdNotifier notifier, TimeProvider time, ILoggerFactory loggers, Watchdog watchdog)
        : this(options.Value, notifier, time, loggers, watchdog, probes: null)
    {
    }

    /// <param name="probes">The readiness probe of each entry; null: the real clients (tests script their own).</param>
    internal SupervisorService(SupervisorOptions options, ISystemdNotifier notifier, TimeProvider time, ILoggerFactory loggers, Watchdog watchdog,
        Func<CatalogEntry, IReadinessProbe>? probes)
    {
        _watchdog = watchdog;
        _options = options;
        _notifier = notifier;
        _time = time;
        _logger = loggers.CreateLogger<SupervisorService>();
        _supervisor = new ServiceSupervisor(new ServiceCatalog(_options), time, loggers.CreateLogger<ServiceSupervisor>(), probes,
            bundleHeartbeat: extend => notifier.Notify(new ServiceState($"EXTEND_TIMEOUT_USEC={(long)extend.TotalMicroseconds}")));
        _status = new StatusPublisher(_supervisor.Board, notifier, loggers.CreateLogger<StatusPublisher>());
        _trimmer = new MemoryTrimmer(_supervisor.Board, time);
        _status.Connection = () => Connection;
    }

    public ServiceSupervisor Supervisor => _supervisor;

    /// <summary>The live connection, for signals; null while the bus is away.</summary>
    public DBusConnection? Connection { get; private set; }

    /// <summary>Completes when the live connection drops (with the reason); null while the bus is away.</summary>
    internal Task<Exception?>? Disconnected { get; private set; }

    /// <summary>
    /// Returns once the D-Bus API is up (or after a bounded wait), so the host's READY=1 means
    /// "the API answers", never "the services are ready": the shell must not wait for them.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _firstUp.Task.WaitAsync(FirstConnectWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogBusLate(_logger, _options.BusAddress, FirstConnectWait.TotalSeconds);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        Drop();
        await _supervisor.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var next = await StepAsync(stoppingToken).ConfigureAwait(false);
                // The pause ends early when the connection drops, so a reconnect never waits a whole slice.
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(next, _time, tick.Token);
                await (Disconnected is { } dropped ? Task.WhenAny(dropped, delay) : delay).ConfigureAwait(false);
                await tick.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Drop();
        }
    }

    /// <summary>
    /// One turn of the loop. Without a connection: connect, export, attach (the supervisor reconciles every
    /// entry with systemd's view); with one: prove the engine alive and feed the watchdog; once it dropped:
    /// detach. Returns how long to wait before the next turn (at most half the watchdog timeout).
    /// </summary>
    internal async Task<TimeSpan> StepAsync(CancellationToken cancellationToken)
    {
        if (Connection is not { } connection)
        {
            return await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Disconnected is { IsCompleted: true } dropped)
        {
            LogBusLost(_logger, (await dropped.ConfigureAwait(false))?.Message ?? "closed");
            Drop();
            return NextBackoff();
        }

        try
        {
            if (await ProveAliveAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                _watchdog.Beat();
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogBusError(_logger, _options.BusAddress, e);
            Drop();
            return NextBackoff();
        }

        return _watchdog.BeatInterval ?? Timeout.InfiniteTimeSpan;
    }

    /// <summary>Connect, export, subscribe, attach; on failure the back-off before the next try.</summary>
    private async Task<TimeSpan> ConnectAsync(CancellationToken cancellationToken)
    {
        // Reconnecting is work too: the loop is alive even while the bus is away.
        _watchdog.Beat();
        var connection = new DBusConnection(_options.BusAddress);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            connection.AddMethodHandler(new SupervisorObject(_supervisor));
            await connection.RequestNameAsync(SupervisorBus.Name, RequestNameOptions.ReplaceExisting | RequestNameOptions.AllowReplacement)
                .ConfigureAwait(false);
            Connection = connection;
            Disconnected = connection.DisconnectedAsync();
            _backoff = TimeSpan.Zero;
            LogBusUp(_logger, _options.BusAddress, SupervisorBus.Name);
            if (_firstUp.TrySetResult())
            {
                _notifier.Notify(ServiceState.Ready);
            }

            _systemd = new SystemdManager(connection);
            try
            {
                await _systemd.InitializeAsync().ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                // No systemd on this bus (a plain podman run): probe what runs, start nothing.
                LogNoSystemd(_logger, e.ErrorMessage);
                _systemd.Dispose();
                _systemd = null;
            }

            await _supervisor.AttachAsync(_systemd).ConfigureAwait(false);
            SupervisorObject.EmitChanged(connection, _supervisor.Board.Snapshot());
            return TimeSpan.Zero;
        }
        catch (Exception e)
        {
            if (!ReferenceEquals(Connection, connection))
            {
                connection.Dispose();
            }

            Drop();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            LogBusError(_logger, _options.BusAddress, e);
            return NextBackoff();
        }
    }

    /// <summary>Forgets the connection: unit watches die with it until the next attach.</summary>
    private void Drop()
    {
        var connection = Connection;
        Connection = null;
        Disconnected = null;
        _supervisor.Detach();
        _systemd?.Dispose();
        _systemd = null;
        connection?.Dispose();
    }

    private TimeSpan NextBackoff() =>
        _backoff = _backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(Math.Min(_backoff.TotalMilliseconds * 2, 2000));

    /// <summary>
    /// True when the supervisor's state answers (its locks are free) and the bus answers a call within a
    /// quarter of the watchdog timeout (half of the beat interval): the same paths a WaitReady or a unit change goes through.
    /// </summary>
    internal async Task<bool> ProveAliveAsync(DBusConnection connection, CancellationToken cancellationToken)
    {
        _supervisor.CheckResponsive();
        try
        {
            await GetBusId(connection).WaitAsync(_watchdog.BeatInterval / 2 ?? TimeSpan.FromSeconds(5), _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or DBusErrorReplyException or DBusConnectionException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            LogNotAlive(_logger, e.GetType().Name + ": " + e.Message);
            return false;
        }
    }

    private static Task<string> GetBusId(DBusConnection connection)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId");
        return connection.CallMethodAsync(writer.CreateMessage(), static (m, _) => m.GetBodyReader().ReadString());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "system bus did not answer, watchdog not fed {error}")]
    private static partial void LogNotAlive(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "on the system bus {address} {name}")]
    private static partial void LogBusUp(ILogger logger, string address, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "system bus connection lost, reconnecting {reason}")]
    private static partial void LogBusLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "system bus unavailable {address}")]
    private static partial void LogBusError(ILogger logger, string address, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "system bus not reachable yet, reporting ready anyway {address} {seconds}")]
    private static partial void LogBusLate(ILogger logger, string address, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd not on the bus, probing only {reason}")]
    private static partial void LogNoSystemd(ILogger logger, string reason);
}
