using System.Text;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Supervision;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor;

/// <summary>
/// /org/aisandbox/Supervisor1: the org.aisandbox.Supervisor1 interface (WaitReady, Restart,
/// StateChanged, State, Services) plus Properties and Introspectable, dispatched by hand.
/// </summary>
internal sealed class SupervisorObject(ServiceSupervisor supervisor) : IPathMethodHandler
{
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    /// <summary>WaitReady's largest timeout_ms: one hour (the wire type allows 49 days).</summary>
    internal const uint MaxWaitReadyMs = 3_600_000;
    private static readonly ReadOnlyMemory<byte> InterfaceXml = Encoding.UTF8.GetBytes(SupervisorBus.IntrospectionXml);

    public string Path => SupervisorBus.Path;

    public bool HandlesChildPaths => false;

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([InterfaceXml, IntrospectionXml.DBusProperties]);
            return default;
        }

        var member = request.MemberAsString;
        switch (request.InterfaceAsString)
        {
            case SupervisorBus.Interface or null when member == "WaitReady" && request.SignatureAsString == "u":
                return WaitReadyAsync(context);
            case SupervisorBus.Interface or null when member == "Restart" && request.SignatureAsString == "s":
                Restart(context);
                return default;
            case PropertiesInterface when member == "Get" && request.SignatureAsString == "ss":
                Get(context);
                return default;
            case PropertiesInterface when member == "GetAll" && request.SignatureAsString == "s":
                GetAll(context);
                return default;
            case PropertiesInterface when member == "Set":
                context.ReplyError("org.freedesktop.DBus.Error.PropertyReadOnly", "State and Services are read-only");
                return default;
            default:
                context.ReplyUnknownMethodError();
                return default;
        }
    }

    /// <summary>Signals after a change: StateChanged(s, a{s(ssd)}) and PropertiesChanged for both properties.</summary>
    public static void EmitChanged(DBusConnection connection, ReadinessSnapshot snapshot)
    {
        connection.TrySendMessage(StateChangedMessage(connection, snapshot));
        connection.TrySendMessage(PropertiesChangedMessage(connection, snapshot));
    }

    private async ValueTask WaitReadyAsync(MethodContext context)
    {
        var reader = context.Request.GetBodyReader();
        var timeoutMs = reader.ReadUInt32();
        if (timeoutMs > MaxWaitReadyMs)
        {
            // Each pending call holds a task and a connection slot; clients wait in short slices anyway.
            context.ReplyError("org.freedesktop.DBus.Error.InvalidArgs",
                $"timeout_ms {timeoutMs} is larger than {MaxWaitReadyMs} (1 h)");
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(timeoutMs);
        // Reply later without blocking the connection's reader: other calls keep being served meanwhile.
        context.DisposesAsynchronously = true;
        _ = Task.Run(async () =>
        {
            using (context)
            {
                try
                {
                    var snapshot = await supervisor.Board.WaitSettledAsync(timeout, context.RequestAborted).ConfigureAwait(false);
                    context.Reply(SnapshotReply(context, snapshot));
                }
                catch (OperationCanceledException)
                {
                    // The caller or the connection went away; nobody to answer.
                }
            }
        });
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private void Restart(MethodContext context)
    {
        var name = context.Request.GetBodyReader().ReadString();
        if (!supervisor.Restart(name))
        {
            context.ReplyError(SupervisorBus.UnknownServiceError,
                $"unknown service \"{name}\" (known: {string.Join(", ", supervisor.Board.Names)})");
            return;
        }

        using var writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }

    private void Get(MethodContext context)
    {
        var reader = context.Request.GetBodyReader();
        var iface = reader.ReadString();
        var property = reader.ReadString();
        if (iface != SupervisorBus.Interface || property is not ("State" or "Services"))
        {
            context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"no property {iface}.{property}");
            return;
        }

        var snapshot = supervisor.Board.Snapshot();
        using var writer = context.CreateReplyWriter("v");
        if (property == "State")
        {
            writer.WriteVariantString(snapshot.State);
        }
        else
        {
            writer.WriteSignature(SupervisorBus.ServicesSignature);
            SnapshotWire.WriteServices(ref Unsafe(writer), snapshot.Services);
        }

        context.Reply(writer.CreateMessage());
    }

    private void GetAll(MethodContext context)
    {
        var iface = context.Request.GetBodyReader().ReadString();
        using var writer = context.CreateReplyWriter("a{sv}");
        var dict = writer.WriteDictionaryStart();
        if (iface == SupervisorBus.Interface)
        {
            WriteProperties(ref Unsafe(writer), supervisor.Board.Snapshot());
        }

        writer.WriteDictionaryEnd(dict);
        context.Reply(writer.CreateMessage());
    }

    private static void WriteProperties(ref MessageWriter writer, ReadinessSnapshot snapshot)
    {
        writer.WriteDictionaryEntryStart();
        writer.WriteString("State");
        writer.WriteVariantString(snapshot.State);
        writer.WriteDictionaryEntryStart();
        writer.WriteString("Services");
        writer.WriteSignature(SupervisorBus.ServicesSignature);
        SnapshotWire.WriteServices(ref writer, snapshot.Services);
    }

    private static MessageBuffer SnapshotReply(MethodContext context, ReadinessSnapshot snapshot)
    {
        using var writer = context.CreateReplyWriter("s" + SupervisorBus.ServicesSignature);
        writer.WriteString(snapshot.State);
        SnapshotWire.WriteServices(ref Unsafe(writer), snapshot.Services);
        return writer.CreateMessage();
    }

    private static MessageBuffer StateChangedMessage(DBusConnection connection, ReadinessSnapshot snapshot)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, SupervisorBus.Path, SupervisorBus.Interface, "StateChanged", "s" + SupervisorBus.ServicesSignature);
        writer.WriteString(snapshot.State);
        SnapshotWire.WriteServices(ref Unsafe(writer), snapshot.Services);
        return writer.CreateMessage();
    }

    private static MessageBuffer PropertiesChangedMessage(DBusConnection connection, ReadinessSnapshot snapshot)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteSignalHeader(null, SupervisorBus.Path, PropertiesInterface, "PropertiesChanged", "sa{sv}as");
        writer.WriteString(SupervisorBus.Interface);
        var dict = writer.WriteDictionaryStart();
        WriteProperties(ref Unsafe(writer), snapshot);
        writer.WriteDictionaryEnd(dict);
        writer.WriteArray(Array.Empty<string>());
        return writer.CreateMessage();
    }

    private static ref MessageWriter Unsafe(in MessageWriter writer) =>
        ref System.Runtime.CompilerServices.Unsafe.AsRef(in writer);
}
