using System.Text;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// org.freedesktop.systemd1 for tests: the Manager calls the supervisor uses (Subscribe, StartUnit,
/// RestartUnit, StopUnit with JobNew/JobRemoved, GetUnit, LoadUnit) and unit objects with
/// ActiveState/SubState/Result and PropertiesChanged, over a real dbus-daemon. Units really start
/// and stop servers. It reconnects when the bus goes away, as systemd does when dbus restarts.
/// </summary>
public sealed class FakeSystemd : IPathMethodHandler, IAsyncDisposable
{
    private const string Manager = "org.freedesktop.systemd1.Manager";
    private const string UnitIface = "org.freedesktop.systemd1.Unit";
    private const string ServiceIface = "org.freedesktop.systemd1.Service";
    private const string Props = "org.freedesktop.DBus.Properties";
    private readonly string _address;
    private readonly Dictionary<string, FakeUnit> _units = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile DBusConnection? _connection;
    private uint _jobId;
    private Task _loop = Task.CompletedTask;
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeSystemd(string address, params FakeUnit[] units)
    {
        _address = address;
        foreach (var unit in units)
        {
            _units[unit.Name] = unit;
            unit.Changed += EmitPropertiesChanged;
        }
    }

    public string Path => "/org/freedesktop/systemd1";

    public bool HandlesChildPaths => true;

    private int _subscribeCalls;

    public int SubscribeCalls => Volatile.Read(ref _subscribeCalls);

    public List<(string Method, string Unit)> Jobs { get; } = [];

    public FakeUnit this[string name] => _units[name];

    public static string UnitPath(string unit)
    {
        var sb = new StringBuilder("/org/freedesktop/systemd1/unit/");
        foreach (var c in unit)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('_').Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    public async Task StartAsync()
    {
        _loop = Task.Run(LoopAsync);
        await _firstUp.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Completes when the fake is on the bus again (after a bus restart).</summary>
    public Task WaitUpAsync(TimeSpan timeout) => _up.Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _connection?.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var unit in _units.Values)
        {
            await unit.ShutdownAsync();
        }
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        var path = request.PathAsString ?? string.Empty;
        var member = request.MemberAsString ?? string.Empty;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([]);
            return default;
        }

        if (path == Path && request.InterfaceAsString == Manager)
        {
            return ManagerCallAsync(context, member);
        }

        var unit = _units.Values.FirstOrDefault(u => UnitPath(u.Name) == path);
        if (unit is not null && request.InterfaceAsString == Props && member == "Get")
        {
            var reader = request.GetBodyReader();
            var iface = reader.ReadString();
            var name = reader.ReadString();
            string? value = (iface, name) switch
            {
                (UnitIface, "ActiveState") => unit.ActiveState,
                (UnitIface, "SubState") => unit.SubState,
                (UnitIface, "Id") => unit.Name,
                (UnitIface, "LoadState") => "loaded",
                (ServiceIface, "Result") => unit.Result,
                _ => null,
            };
            if (value is null)
            {
                context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"no {iface}.{name}");
                return default;
            }

            using var writer = context.CreateReplyWriter("v");
            writer.WriteVariantString(value);
            context.Reply(writer.CreateMessage());
            return default;
        }

        context.ReplyUnknownMethodError();
        return default;
    }

    private ValueTask ManagerCallAsync(MethodContext context, string member)
    {
        var reader = context.Request.GetBodyReader();
        switch (member)
        {
            case "Subscribe":
                Interlocked.Increment(ref _subscribeCalls);
                ReplyEmpty(context);
                return default;
            case "GetUnit" or "LoadUnit":
            {
                var name = reader.ReadString();
                if (!_units.ContainsKey(name))
                {
                    context.ReplyError("org.freedesktop.systemd1.NoSuchUnit", $"Unit {name} not loaded.");
                    return default;
                }

                ReplyPath(context, UnitPath(name));
                return default;
            }

            case "StartUnit" or "RestartUnit" or "StopUnit":
            {
                var name = reader.ReadString();
                _ = reader.ReadString();
                if (!_units.TryGetValue(name, out var unit))
                {
                    context.ReplyError("org.freedesktop.systemd1.NoSuchUnit", $"Unit {name} not found.");
                    return default;
                }

                lock (Jobs)
                {
                    Jobs.Add((member, name));
                }

                var id = Interlocked.Increment(ref _jobId);
                var job = $"/org/freedesktop/systemd1/job/{id}";
                var connection = context.Connection;
                // Like systemd: the reply (the job path) goes out first, JobNew next, JobRemoved when done.
                ReplyPath(context, job);
                connection.TrySendMessage(JobSignal(connection, "JobNew", id, job, name, null));
                _ = Task.Run(async () =>
                {
                    var result = member switch
                    {
                        "StartUnit" => await unit.StartJobAsync(),
                        "StopUnit" => await unit.StopJobAsync(),
                        _ => await RestartAsync(unit),
                    };
                    _connection?.TrySendMessage(JobSignal(_connection, "JobRemoved", id, job, name, result));
                });
                return default;
            }

            default:
                context.ReplyUnknownMethodError();
                return default;
        }
    }

    private static async Task<string> RestartAsync(FakeUnit unit)
    {
        await unit.StopJobAsync();
        return await unit.StartJobAsync();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var connection = new DBusConnection(_address);
                await connection.ConnectAsync();
                connection.AddMethodHandler(this);
                await connection.RequestNameAsync("org.freedesktop.systemd1");
                _connection = connection;
                _up.TrySetResult();
                _firstUp.TrySetResult();
                await connection.DisconnectedAsync().WaitAsync(_stop.Token);
                _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is DBusConnectionException or DBusErrorReplyException or IOException or System.Net.Sockets.SocketException)
            {
            }
            finally
            {
                _connection = null;
            }

            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void EmitPropertiesChanged(FakeUnit unit)
    {
        if (_connection is not { } connection)
        {
            return;
        }

        connection.TrySendMessage(PropertiesChanged(connection, unit, UnitIface, ("ActiveState", unit.ActiveState), ("SubState", unit.SubState)));
        connection.TrySendMessage(PropertiesChanged(connection, unit, ServiceIface, ("Result", unit.Result)));
    }

    private static MessageBuffer PropertiesChanged(DBusConnection connection, FakeUnit unit, string iface, params (string Key, string Value)[] values)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, UnitPath(unit.Name), Props, "PropertiesChanged", "sa{sv}as");
        writer.WriteString(iface);
        var dict = writer.WriteDictionaryStart();
        foreach (var (key, value) in values)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(key);
            writer.WriteVariantString(value);
        }

        writer.WriteDictionaryEnd(dict);
        writer.WriteArray(Array.Empty<string>());
        return writer.CreateMessage();
    }

    private static MessageBuffer JobSignal(DBusConnection connection, string member, uint id, string job, string unit, string? result)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, "/org/freedesktop/systemd1", Manager, member, result is null ? "uos" : "uoss");
        writer.WriteUInt32(id);
        writer.WriteObjectPath(job);
        writer.WriteString(unit);
        if (result is not null)
        {
            writer.WriteString(result);
        }

        return writer.CreateMessage();
    }

    private static void ReplyEmpty(MethodContext context)
    {
        using var writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }

    private static void ReplyPath(MethodContext context, string path)
    {
        using var writer = context.CreateReplyWriter("o");
        writer.WriteObjectPath(path);
        context.Reply(writer.CreateMessage());
    }
}
