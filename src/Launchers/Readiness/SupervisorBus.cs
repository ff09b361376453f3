using Tmds.DBus.Protocol;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// The supervisor's readiness contract on the system bus: <c>org.aisandbox.Supervisor1</c> at
/// <c>/org/aisandbox/Supervisor1</c>, method <c>WaitReady(u timeout_ms) → (s state, a{s(ssd)} services)</c>,
/// which returns as soon as State is not <c>starting</c> or when the timeout passes.
/// </summary>
internal sealed class SupervisorBus(string address, TimeProvider time) : IReadinessWait
{
    public const string BusName = "org.aisandbox.Supervisor1";
    public const string ObjectPath = "/org/aisandbox/Supervisor1";
    public const string Interface = "org.aisandbox.Supervisor1";
    public const string DefaultAddress = "unix:path=/run/dbus/system_bus_socket";

    // Short calls instead of one long one: each answer is a progress snapshot for the display.
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(250);

    // A supervisor that takes the call but never answers must not hold the launch forever.
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(5);

    public async Task<ReadinessResult> WaitAsync(TimeSpan timeout, Action<ReadinessSnapshot>? progress, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        using var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is DBusConnectionException or IOException or System.Net.Sockets.SocketException)
        {
            return new ReadinessResult(ReadinessOutcome.NoSupervisor, null, "system bus not reachable: " + e.Message);
        }

        ReadinessSnapshot? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = timeout - time.GetElapsedTime(start);
            var slice = remaining < Slice ? remaining : Slice;
            if (slice < TimeSpan.Zero)
            {
                slice = TimeSpan.Zero;
            }

            try
            {
                last = await CallWaitReadyAsync(connection, slice).WaitAsync(slice + ReplyGrace, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return new ReadinessResult(ReadinessOutcome.NoSupervisor, last, $"{BusName} did not answer WaitReady within {(slice + ReplyGrace).TotalSeconds:0.#}s");
            }
            catch (DBusErrorReplyException e) when (e.ErrorName is "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner" or "org.freedesktop.DBus.Error.UnknownObject" or "org.freedesktop.DBus.Error.UnknownMethod")
            {
                return new ReadinessResult(ReadinessOutcome.NoSupervisor, null, "no " + BusName + " on the bus");
            }
            catch (DBusConnectionClosedException e)
            {
                return new ReadinessResult(ReadinessOutcome.NoSupervisor, last, "bus connection closed: " + e.Message);
            }

            progress?.Invoke(last);
            switch (last.State)
            {
                case "ready":
                    return new ReadinessResult(ReadinessOutcome.Ready, last);
                case "degraded":
                    return new ReadinessResult(ReadinessOutcome.Degraded, last);
            }

            if (time.GetElapsedTime(start) >= timeout)
            {
                return new ReadinessResult(ReadinessOutcome.TimedOut, last);
            }
        }
    }

    private static Task<ReadinessSnapshot> CallWaitReadyAsync(DBusConnection connection, TimeSpan slice)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination: BusName, path: ObjectPath, @interface: Interface, member: "WaitReady", signature: "u");
            writer.WriteUInt32((uint)Math.Ceiling(slice.TotalMilliseconds));
            message = writer.CreateMessage();
        }

        return connection.CallMethodAsync(message, static (Message m, object? _) => ReadSnapshot(m.GetBodyReader()), null);
    }

    internal static ReadinessSnapshot ReadSnapshot(Reader reader)
    {
        var state = reader.ReadString();
        var services = new SortedDictionary<string, ServiceStatus>(StringComparer.Ordinal);
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var name = reader.ReadString();
            reader.AlignStruct();
            var entryState = reader.ReadString();
            var detail = reader.ReadString();
            var seconds = reader.ReadDouble();
            services[name] = new ServiceStatus(entryState, detail, seconds);
        }

        return new ReadinessSnapshot(state, services);
    }
}
