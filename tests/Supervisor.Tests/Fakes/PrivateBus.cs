using System.Diagnostics;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// A dbus-daemon of our own (system-bus semantics, open policy, the repo's scripts/test-bus.conf), so
/// a test can own org.freedesktop.systemd1, and stop and restart the bus on the same socket.
/// </summary>
public sealed class PrivateBus : IAsyncDisposable
{
    private readonly TempDir _dir = new("aisandbox-bus-");
    private Process? _daemon;

    public string SocketPath => _dir["bus.sock"];

    public string Address => "unix:path=" + SocketPath;

    /// <param name="config">A bus config under scripts/; test-system-bus.conf has the system bus's policy.</param>
    public static async Task<PrivateBus> StartAsync(string config = "test-bus.conf")
    {
        var bus = new PrivateBus();
        var template = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "scripts", config));
        await File.WriteAllTextAsync(bus._dir["bus.conf"], template.Replace("@SOCKET@", bus.SocketPath, StringComparison.Ordinal)
            .Replace("@REPO@", RepoPaths.Root, StringComparison.Ordinal));
        await bus.StartDaemonAsync();
        return bus;
    }

    public async Task StartDaemonAsync()
    {
        File.Delete(SocketPath);
        var psi = Run.Start("dbus-daemon", ["--config-file=" + _dir["bus.conf"], "--nofork", "--nopidfile"]);
        _daemon = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dbus-daemon (apt package dbus)");
        _daemon.StandardInput.Close();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(SocketPath))
        {
            if (_daemon.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException("dbus-daemon did not come up: " + await _daemon.StandardError.ReadToEndAsync());
            }

            await Task.Delay(5);
        }
    }

    private void Signal(int signal)
    {
        if (_daemon is { HasExited: false } daemon)
        {
            Assert.Equal(0, Signals.Kill(daemon.Id, signal));
        }
    }

    /// <summary>Kills the daemon: every connection on the bus drops at once.</summary>
    public async Task StopDaemonAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync();
        }

        _daemon?.Dispose();
        _daemon = null;
    }

    /// <summary>Stops the daemon (SIGSTOP): connections stay open, but no call is answered until <see cref="Thaw"/>.</summary>
    public void Freeze() => Signal(Signals.SIGSTOP);

    public void Thaw() => Signal(Signals.SIGCONT);

    public async ValueTask DisposeAsync()
    {
        Thaw();
        await StopDaemonAsync();
        _dir.Dispose();
    }
}
