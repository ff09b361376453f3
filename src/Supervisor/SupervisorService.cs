using AiSandbox.Common.Systemd;
using AiSandbox.ServiceBootstrap.Catalog;
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
/// drops, reconnect with back-off and let the supervisor rebuild its state from systemd. The watchdog is
/// fed from this loop only, and only after a round trip on the bus and through the supervisor's state
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

    public SupervisorService(IOptions<SupervisorOptions> options, ISystemdNotifier notifier, TimeProvider time, ILoggerFactory loggers, Watchdog watchdog)
    {
        _watchdog = watchdog;
        _options = options.Value;
        _notifier = notifier;
        _time = time;
        _logger = loggers.CreateLogger<SupervisorService>();
        _supervisor = new ServiceSupervisor(new ServiceCatalog(_options), time, loggers.CreateLogger<ServiceSupervisor>(),
            bundleHeartbeat: extend => notifier.Notify(new ServiceState($"EXTEND_TIMEOUT_USEC={(long)extend.TotalMicroseconds}")));
        _status = new StatusPublisher(_supervisor.Board, notifier, loggers.CreateLogger<StatusPublisher>());
        _trimmer = new MemoryTrimmer(_supervisor.Board, time);
    }

    public ServiceSupervisor Supervisor => _supervisor;

    /// <summary>The live connection, for signals; null while the bus is away.</summary>
    public DBusConnection? Connection { get; private set; }

    /// <summary>
    /// Returns once the D-Bus API is up (or after a bounded wait), so the host's READY=1 means
    /// "the API answers", never "the services are ready": the shell must not wait for them.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _status.Connection = () => Connection;
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
        await _supervisor.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Reconnecting is work too: the loop is alive even while the bus is away.
            _watchdog.Beat();
            try
            {
                await RunConnectionAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogBusError(_logger, _options.BusAddress, e);
            }

            _backoff = _backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(Math.Min(_backoff.TotalMilliseconds * 2, 2000));
            await Task.Delay(_backoff, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One connection's lifetime: connect, export, attach, wait for it to drop.</summary>
    internal async Task RunConnectionAsync(CancellationToken cancellationToken)
    {
        using var connection = new DBusConnection(_options.BusAddress);
        await connection.ConnectAsync().ConfigureAwait(false);
        connection.AddMethodHandler(new SupervisorObject(_supervisor));
        await connection.RequestNameAsync(SupervisorBus.Name, RequestNameOptions.ReplaceExisting | RequestNameOptions.AllowReplacement)
            .ConfigureAwait(false);
        Connection = connection;
        _backoff = TimeSpan.Zero;
        LogBusUp(_logger, _options.BusAddress, SupervisorBus.Name);
        if (_firstUp.TrySetResult())
        {
            _notifier.Notify(ServiceState.Ready);
        }

        SystemdManager? systemd = null;
        try
        {
            systemd = new SystemdManager(connection);
            try
            {
                await systemd.InitializeAsync().ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                // No systemd on this bus (a plain podman run): probe what runs, start nothing.
                LogNoSystemd(_logger, e.ErrorMessage);
                systemd.Dispose();
                systemd = null;
            }

            await _supervisor.AttachAsync(systemd).ConfigureAwait(false);
            SupervisorObject.EmitChanged(connection, _supervisor.Board.Snapshot());
            var reason = await ServeAsync(connection, cancellationToken).ConfigureAwait(false);
            LogBusLost(_logger, reason?.Message ?? "closed");
        }
        finally
        {
            Connection = null;
            _supervisor.Detach();
            systemd?.Dispose();
        }
    }

    /// <summary>Until the connection drops: every half watchdog timeout, prove the engine alive and beat.</summary>
    private async Task<Exception?> ServeAsync(DBusConnection connection, CancellationToken cancellationToken)
    {
        var disconnected = connection.DisconnectedAsync();
        var slice = _watchdog.BeatInterval ?? Timeout.InfiniteTimeSpan;
        while (!disconnected.IsCompleted)
        {
            if (await ProveAliveAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                _watchdog.Beat();
            }

            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(slice, _time, tick.Token);
            await Task.WhenAny(disconnected, delay).ConfigureAwait(false);
            await tick.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return await disconnected.ConfigureAwait(false);
    }

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
