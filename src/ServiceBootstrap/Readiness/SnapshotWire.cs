using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>Reads and writes <c>a{s(ssd)}</c>, the wire form of <see cref="ReadinessSnapshot.Services"/>.</summary>
public static class SnapshotWire
{
    public static void WriteServices(ref MessageWriter writer, IReadOnlyDictionary<string, ServiceStatus> services)
    {
        var dict = writer.WriteDictionaryStart();
        foreach (var (name, status) in services)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteStructureStart();
            writer.WriteString(status.State);
            writer.WriteString(status.Detail);
            writer.WriteDouble(status.Seconds);
        }

        writer.WriteDictionaryEnd(dict);
    }

    public static Dictionary<string, ServiceStatus> ReadServices(ref Reader reader)
    {
        var services = new Dictionary<string, ServiceStatus>(StringComparer.Ordinal);
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var name = reader.ReadString();
            reader.AlignStruct();
            var state = reader.ReadString();
            var detail = reader.ReadString();
            var seconds = reader.ReadDouble();
            services[name] = new ServiceStatus(state, detail, seconds);
        }

        return services;
    }

    /// <summary>Body of WaitReady's reply and of StateChanged: <c>(s a{s(ssd)})</c>.</summary>
    public static ReadinessSnapshot ReadSnapshot(Message message)
    {
        var reader = message.GetBodyReader();
        var state = reader.ReadString();
        return new ReadinessSnapshot(state, ReadServices(ref reader));
    }
}
