using System.Net.Sockets;
using System.Text;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// The host end of <c>--sdnotify=container</c>: an AF_UNIX datagram socket in a private directory whose
/// path podman gets as NOTIFY_SOCKET. systemd, PID 1 in the sandbox, sends <c>READY=1</c> there when its
/// boot transaction is done, so readiness is an event, not a poll.
/// </summary>
internal sealed class NotifyListener : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Action<string> _onMessage;

    private NotifyListener(string directory, Socket socket, Action<string> onMessage)
    {
        _directory = directory;
        _socket = socket;
        _onMessage = onMessage;
        _loop = ReceiveLoopAsync(onMessage);
    }

    public string SocketPath => Path.Combine(_directory, "notify.sock");

    /// <summary>Binds the socket; <paramref name="onMessage"/> sees each datagram's text.</summary>
    public static NotifyListener Start(Action<string> onMessage)
    {
        // Under $XDG_RUNTIME_DIR when there is one (per-user, tmpfs); sun_path allows 107 bytes.
        var parent = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 and < 60 } runtime && Directory.Exists(runtime)
            ? runtime
            : "/tmp";
        var directory = Path.Combine(parent, "ai-notify-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory, Common.IO.AtomicFile.PrivateDirectory);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, "notify.sock")));
        }
        catch
        {
            socket.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }

        return new NotifyListener(directory, socket, onMessage);
    }

    /// <summary>True when a datagram carries <c>READY=1</c> on a line of its own.</summary>
    public static bool IsReady(string message) =>
        message.Split('\n').Any(line => line.Trim() == "READY=1");

    // A datagram sent just before podman exited is still queued: hand it over before closing.
    private void Drain()
    {
        var buffer = new byte[4096];
        try
        {
            while (_socket.Available > 0)
            {
                var received = _socket.Receive(buffer);
                _onMessage(Encoding.UTF8.GetString(buffer, 0, received));
            }
        }
        catch (SocketException)
        {
        }
    }

    private async Task ReceiveLoopAsync(Action<string> onMessage)
    {
        var buffer = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                onMessage(Encoding.UTF8.GetString(buffer, 0, received));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Drain();
        _socket.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
