using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>Client-side calls of org.aisandbox.Supervisor1, written by hand like the systemd ones.</summary>
public static class SupervisorCalls
{
    public static async Task<ReadinessSnapshot> WaitReadyAsync(DBusConnection connection, TimeSpan timeout)
    {
        return await connection.CallMethodAsync(WaitReadyMessage(connection, timeout), static (m, _) => SnapshotWire.ReadSnapshot(m)).ConfigureAwait(false);
    }

    public static Task RestartAsync(DBusConnection connection, string name)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(SupervisorBus.Name, SupervisorBus.Path, SupervisorBus.Interface, "Restart", "s");
        writer.WriteString(name);
        return connection.CallMethodAsync(writer.CreateMessage());
    }

    /// <summary>Properties.GetAll: State and Services, read together.</summary>
    public static async Task<ReadinessSnapshot> GetSnapshotAsync(DBusConnection connection)
    {
        return await connection.CallMethodAsync(GetAllMessage(connection), static (m, _) =>
        {
            var reader = m.GetBodyReader();
            var state = OverallStates.Starting;
            Dictionary<string, ServiceStatus> services = [];
            var end = reader.ReadDictionaryStart();
            while (reader.HasNext(end))
            {
                var name = reader.ReadString();
                var signature = reader.ReadSignatureAsString();
                if (name == "State" && signature == "s")
                {
                    state = reader.ReadString();
                }
                else if (name == "Services" && signature == SupervisorBus.ServicesSignature)
                {
                    services = SnapshotWire.ReadServices(ref reader);
                }
                else
                {
                    throw new InvalidDataException($"unexpected property {name} of type {signature}");
                }
            }

            return new ReadinessSnapshot(state, services);
        }).ConfigureAwait(false);
    }

    private static MessageBuffer WaitReadyMessage(DBusConnection connection, TimeSpan timeout)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(SupervisorBus.Name, SupervisorBus.Path, SupervisorBus.Interface, "WaitReady", "u");
        writer.WriteUInt32((uint)Math.Clamp(timeout.TotalMilliseconds, 0, uint.MaxValue));
        return writer.CreateMessage();
    }

    private static MessageBuffer GetAllMessage(DBusConnection connection)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(SupervisorBus.Name, SupervisorBus.Path, "org.freedesktop.DBus.Properties", "GetAll", "s");
        writer.WriteString(SupervisorBus.Interface);
        return writer.CreateMessage();
    }
}
