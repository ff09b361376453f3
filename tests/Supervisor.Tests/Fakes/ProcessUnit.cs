using System.Diagnostics;
using System.Net.Sockets;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// A unit whose start launches a real server process and counts as done once its port accepts TCP
/// (what a Type=notify server's READY=1 means), or failed when the process exits first.
/// </summary>
/// <remarks>With <paramref name="ownSession"/> the server runs in its own session (setsid) and stop signals the whole group (RabbitMQ: erl, beam, …).</remarks>
public sealed class ProcessUnit(string name, string fileName, IReadOnlyList<string> args, int port, int stopSignal = Signals.SIGTERM,
    IReadOnlyDictionary<string, string?>? env = null, bool ownSession = false)
    : FakeUnit(name)
{
    private Process? _process;
    private bool _stopping;

    private readonly List<string> _output = [];

    public string PortText => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>What the server printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    /// <summary>Kills the server behind systemd's back (a crash).</summary>
    public void Crash()
    {
        if (_process is { HasExited: false } p)
        {
            _ = Signals.Kill(p.Id, Signals.SIGKILL);
        }
    }

    protected override async Task<bool> LaunchAsync()
    {
        _stopping = false;
        var psi = ownSession ? Run.Start("setsid", [fileName, .. args], env) : Run.Start(fileName, args, env);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + fileName);
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        _process = process;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                return false;
            }

            if (await PortOpenAsync(port))
            {
                process.Exited += (_, _) =>
                {
                    if (!_stopping)
                    {
                        Died(process.ExitCode > 128 ? "signal" : "exit-code");
                    }
                };
                if (process.HasExited && !_stopping)
                {
                    Died("exit-code");
                }

                return true;
            }

            await Task.Delay(5);
        }

        process.Kill(entireProcessTree: true);
        return false;
    }

    protected override async Task StopAsync()
    {
        _stopping = true;
        if (_process is { HasExited: false } p)
        {
            _ = Signals.Kill(ownSession ? -p.Id : p.Id, stopSignal);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _ = Signals.Kill(ownSession ? -p.Id : p.Id, Signals.SIGKILL);
                p.Kill(entireProcessTree: true);
            }
        }
    }

    public static async Task<bool> PortOpenAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A server that accepts TCP connections and never says a word.</summary>
public sealed class SilentUnit(string name, int port) : FakeUnit(name), IDisposable
{
    public void Dispose() => _listener?.Dispose();

    private TcpListener? _listener;
    private readonly List<Socket> _held = [];

    protected override Task<bool> LaunchAsync()
    {
        _listener = new TcpListener(System.Net.IPAddress.Loopback, port);
        _listener.Start();
        _ = AcceptAsync(_listener);
        return Task.FromResult(true);
    }

    protected override Task StopAsync()
    {
        _listener?.Stop();
        lock (_held)
        {
            foreach (var s in _held)
            {
                s.Dispose();
            }
        }

        return Task.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>A server started once per test collection (RabbitMQ needs ~4 s): start waits for its port.</summary>
public sealed class SharedServerUnit(string name, Func<Task<bool>> waitReady) : FakeUnit(name)
{
    protected override Task<bool> LaunchAsync() => waitReady();

    protected override Task StopAsync() => Task.CompletedTask;
}
