using System.Net.Sockets;

namespace AiSandbox.TestSupport.Servers;

/// <summary>A private dbus-daemon; AISANDBOX_TEST_DBUS holds its address (unix:path=…).</summary>
public sealed class DbusServer() : ServerFixture("AISANDBOX_TEST_DBUS", "dbus-daemon (private bus)")
{
    protected override async Task CheckReachableAsync(string address, CancellationToken cancellationToken)
    {
        const string prefix = "unix:path=";
        var first = address.Split(';')[0];
        if (!first.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new IOException($"expected a unix:path= address, got {address}");
        }

        var path = first[prefix.Length..].Split(',')[0];
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
    }
}
