namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>The D-Bus contract of ai-supervisor; the README documents it, clients and tests code against it.</summary>
public static class SupervisorBus
{
    public const string Name = "org.aisandbox.Supervisor1";
    public const string Path = "/org/aisandbox/Supervisor1";
    public const string Interface = "org.aisandbox.Supervisor1";
    public const string ServicesSignature = "a{s(ssd)}";
    public const string UnknownServiceError = "org.aisandbox.Supervisor1.Error.UnknownService";
    public const string DefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS, else the well-known socket.</summary>
    public static string SystemBusAddress(Func<string, string?> env) =>
        env("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } address ? address : DefaultSystemBus;

    /// <summary>No bus to talk to (no socket, refused, dropped): callers fall back instead of failing.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is Tmds.DBus.Protocol.DBusConnectionException or IOException or System.Net.Sockets.SocketException;

    public const string IntrospectionXml = """
        <interface name="org.aisandbox.Supervisor1">
          <method name="WaitReady">
            <arg name="timeout_ms" type="u" direction="in"/>
            <arg name="state" type="s" direction="out"/>
            <arg name="services" type="a{s(ssd)}" direction="out"/>
          </method>
          <method name="Restart">
            <arg name="name" type="s" direction="in"/>
          </method>
          <signal name="StateChanged">
            <arg name="state" type="s"/>
            <arg name="services" type="a{s(ssd)}"/>
          </signal>
          <property name="State" type="s" access="read">
            <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="true"/>
          </property>
          <property name="Services" type="a{s(ssd)}" access="read">
            <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="true"/>
          </property>
        </interface>

        """;
}
