using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Systemd;

/// <summary>
/// The few org.freedesktop.systemd1 calls the supervisor needs, written by hand on Tmds.DBus.Protocol
/// (the classic Tmds.DBus proxies do not work under NativeAOT). One instance per bus connection:
/// create it, then <see cref="InitializeAsync"/> subscribes to JobRemoved before any job is queued.
/// </summary>
public sealed class SystemdManager : IDisposable
{
    public const string Service = "org.freedesktop.systemd1";
    public const string ManagerPath = "/org/freedesktop/systemd1";
    public const string ManagerInterface = "org.freedesktop.systemd1.Manager";
    public const string UnitInterface = "org.freedesktop.systemd1.Unit";
    public const string ServiceInterface = "org.freedesktop.systemd1.Service";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    private readonly DBusConnection _connection;
    private readonly JobTracker _jobs = new();
    private IDisposable? _jobRemovedMatch;

    public SystemdManager(DBusConnection connection) => _connection = connection;

    public DBusConnection Connection => _connection;

    /// <summary>Watch JobRemoved first, then Subscribe(): from here on no job result can be missed.</summary>
    public async Task InitializeAsync()
    {
        _jobRemovedMatch = await _connection.WatchSignalAsync(
            Service, ManagerPath, ManagerInterface, "JobRemoved",
            static (message, _) =>
            {
                var reader = message.GetBodyReader();
                _ = reader.ReadUInt32();
                var job = reader.ReadObjectPathAsString();
                _ = reader.ReadString();
                return (job, reader.ReadString());
            },
            (Notification<(string Job, string Result)> n) =>
            {
                if (!n.IsCompletion)
                {
                    _jobs.Completed(n.Value.Job, n.Value.Result);
                }
            },
            ObserverFlags.None,
            emitOnCapturedContext: false).ConfigureAwait(false);
        await CallAsync(ManagerPath, ManagerInterface, "Subscribe", null).ConfigureAwait(false);
    }

    /// <summary>Queues StartUnit/RestartUnit/StopUnit and waits for its JobRemoved; returns the job result (done, failed, …).</summary>
    public async Task<string> RunJobAsync(string method, string unit, CancellationToken cancellationToken, string mode = "replace")
    {
        var job = await _connection.CallMethodAsync(Message(ManagerPath, ManagerInterface, method, unit, mode),
            static (m, _) => m.GetBodyReader().ReadObjectPathAsString()).ConfigureAwait(false);
        return await _jobs.WaitAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GetUnit: fails with NoSuchUnit when the unit is not loaded.</summary>
    public Task<string> GetUnitAsync(string unit) => UnitPathAsync("GetUnit", unit);

    /// <summary>LoadUnit: loads the unit file from disk if needed.</summary>
    public Task<string> LoadUnitAsync(string unit) => UnitPathAsync("LoadUnit", unit);

    internal async Task<UnitState> GetUnitStateAsync(string unitPath)
    {
        var active = GetStringPropertyAsync(unitPath, UnitInterface, "ActiveState");
        var sub = GetStringPropertyAsync(unitPath, UnitInterface, "SubState");
        var result = GetStringPropertyAsync(unitPath, ServiceInterface, "Result");
        return new UnitState(await active.ConfigureAwait(false), await sub.ConfigureAwait(false), await result.ConfigureAwait(false));
    }

    public async Task<string> GetStringPropertyAsync(string path, string @interface, string property)
    {
        return await _connection.CallMethodAsync(Message(path, PropertiesInterface, "Get", @interface, property), static (m, _) => m.GetBodyReader().ReadVariantValue().GetString())
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Calls <paramref name="changed"/> whenever the unit's ActiveState, SubState or Result may have
    /// changed (PropertiesChanged on the unit object); the handler reads the state it needs.
    /// </summary>
    public ValueTask<IDisposable> WatchUnitAsync(string unitPath, Action changed) =>
        _connection.WatchSignalAsync(
            Service, unitPath, PropertiesInterface, "PropertiesChanged",
            static (message, _) => message.GetBodyReader().ReadString(),
            (Notification<string> n) =>
            {
                if (!n.IsCompletion && n.Value is UnitInterface or ServiceInterface)
                {
                    changed();
                }
            },
            ObserverFlags.None,
            emitOnCapturedContext: false);

    public void Dispose()
    {
        _jobRemovedMatch?.Dispose();
        _jobs.Dispose();
    }

    private async Task<string> UnitPathAsync(string method, string unit)
    {
        return await _connection.CallMethodAsync(Message(ManagerPath, ManagerInterface, method, unit), static (m, _) => m.GetBodyReader().ReadObjectPathAsString())
            .ConfigureAwait(false);
    }

    private Task CallAsync(string path, string @interface, string member, string? signature)
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Service, path, @interface, member, signature);
        return _connection.CallMethodAsync(writer.CreateMessage());
    }

    /// <summary>A method call whose arguments are all strings.</summary>
    private MessageBuffer Message(string path, string @interface, string member, params ReadOnlySpan<string> args)
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Service, path, @interface, member, new string('s', args.Length));
        foreach (var arg in args)
        {
            writer.WriteString(arg);
        }

        return writer.CreateMessage();
    }
}
