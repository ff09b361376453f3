using System.Diagnostics;
using Tmds.DBus.Protocol;

namespace AiSandbox.Launchers.Tests.Support;

/// <summary>
/// A supervisor object on the private test bus implementing the readiness contract
/// (org.aisandbox.Supervisor1: State, Services, WaitReady(u), StateChanged). Its services follow a script:
/// each entry says what state it reaches after how long.
/// </summary>
public sealed class TestSupervisor : IPathMethodHandler, IAsyncDisposable
{
    public const string Name = "org.aisandbox.Supervisor1";
    public const string ObjectPath = "/org/aisandbox/Supervisor1";

    private readonly DBusConnection _connection;
    private readonly IReadOnlyList<ScriptedService> _services;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private TestSupervisor(DBusConnection connection, IReadOnlyList<ScriptedService> services)
    {
        _connection = connection;
        _services = services;
    }

    public string Path => ObjectPath;

    public bool HandlesChildPaths => false;

    private int _waitReadyCalls;

    public int WaitReadyCalls => Volatile.Read(ref _waitReadyCalls);

    /// <summary>Connects to <paramref name="address"/>, exports the object and owns the name (waiting while another test holds it).</summary>
    public static async Task<TestSupervisor> StartAsync(string address, params ScriptedService[] services)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        var supervisor = new TestSupervisor(connection, services);
        connection.AddMethodHandler(supervisor);
        var deadline = Stopwatch.StartNew();
        while (!await connection.TryRequestNameAsync(Name, RequestNameOptions.None))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException(Name + " stayed owned by someone else on the test bus for 30 s");
            }

            await Task.Delay(50);
        }

        supervisor._signals = Task.Run(supervisor.EmitStateChangesAsync);
        return supervisor;
    }

    private readonly CancellationTokenSource _stop = new();
    private Task _signals = Task.CompletedTask;

    // StateChanged(s, a{s(ssd)}) whenever State changes, as the real supervisor does.
    private async Task EmitStateChangesAsync()
    {
        var last = Snapshot().State;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var (state, services) = Snapshot();
            if (state == last)
            {
                continue;
            }

            last = state;
            var writer = _connection.GetMessageWriter();
            try
            {
                writer.WriteSignalHeader(null, ObjectPath, Name, "StateChanged", "sa{s(ssd)}");
                writer.WriteString(state);
                WriteServices(ref writer, services);
                _connection.TrySendMessage(writer.CreateMessage());
            }
            finally
            {
                writer.Dispose();
            }
        }
    }

    public static ScriptedService Ready(string name, double after = 0) => new(name, "ready", "", after);

    public static ScriptedService Failed(string name, string reason, double after = 0) => new(name, "failed", reason, after);

    public static ScriptedService Never(string name) => new(name, "ready", "", double.MaxValue);

    public (string State, IReadOnlyList<(string Name, string State, string Detail, double Seconds)> Services) Snapshot()
    {
        var now = _clock.Elapsed.TotalSeconds;
        var services = _services.Select(s => now >= s.After
            ? (s.Name, s.State, s.Detail, Math.Min(now, s.After))
            : (s.Name, "starting", "probing", now)).ToList();
        var state = services.Any(s => s.Item2 == "starting") ? "starting" : services.Any(s => s.Item2 == "failed") ? "degraded" : "ready";
        return (state, services);
    }

    public async ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (request.InterfaceAsString == Name && request.MemberAsString == "WaitReady")
        {
            var timeoutMs = request.GetBodyReader().ReadUInt32();
            Interlocked.Increment(ref _waitReadyCalls);

            // The connection reads no other message meanwhile: fine for one launcher at a time.
            var until = _clock.Elapsed + TimeSpan.FromMilliseconds(timeoutMs);
            while (Snapshot().State == "starting" && _clock.Elapsed < until)
            {
                await Task.Delay(10);
            }

            ReplyWaitReady(context);
            return;
        }

        if (request.InterfaceAsString == "org.freedesktop.DBus.Properties" && request.MemberAsString == "GetAll")
        {
            var writer = context.CreateReplyWriter("a{sv}");
            try
            {
                var (state, services) = Snapshot();
                var dict = writer.WriteDictionaryStart();
                writer.WriteDictionaryEntryStart();
                writer.WriteString("State");
                writer.WriteVariantString(state);
                writer.WriteDictionaryEntryStart();
                writer.WriteString("Services");
                writer.WriteSignature("a{s(ssd)}");
                WriteServices(ref writer, services);
                writer.WriteDictionaryEnd(dict);
                context.Reply(writer.CreateMessage());
            }
            finally
            {
                writer.Dispose();
            }

            return;
        }

        if (request.InterfaceAsString == "org.freedesktop.DBus.Properties" && request.MemberAsString == "Get")
        {
            var reader = request.GetBodyReader();
            _ = reader.ReadString();
            var property = reader.ReadString();
            var (state, services) = Snapshot();
            var writer = context.CreateReplyWriter("v");
            try
            {
                if (property == "State")
                {
                    writer.WriteVariantString(state);
                }
                else
                {
                    writer.WriteSignature("a{s(ssd)}");
                    WriteServices(ref writer, services);
                }

                context.Reply(writer.CreateMessage());
            }
            finally
            {
                writer.Dispose();
            }
            return;
        }

        context.ReplyUnknownMethodError();
    }

    private void ReplyWaitReady(MethodContext context)
    {
        // MessageWriter is a ref struct: helpers take it by ref, or their writes are lost.
        var writer = context.CreateReplyWriter("sa{s(ssd)}");
        try
        {
            var (state, services) = Snapshot();
            writer.WriteString(state);
            WriteServices(ref writer, services);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static void WriteServices(ref MessageWriter writer, IReadOnlyList<(string Name, string State, string Detail, double Seconds)> services)
    {
        var start = writer.WriteDictionaryStart();
        foreach (var (name, state, detail, seconds) in services)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteStructureStart();
            writer.WriteString(state);
            writer.WriteString(detail);
            writer.WriteDouble(seconds);
        }

        writer.WriteDictionaryEnd(start);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _signals;
        _stop.Dispose();
        try
        {
            await _connection.ReleaseNameAsync(Name);
        }
        catch (DBusExceptionBase)
        {
        }

        _connection.Dispose();
    }
}

public sealed record ScriptedService(string Name, string State, string Detail, double After);
