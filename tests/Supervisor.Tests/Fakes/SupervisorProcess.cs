using System.Diagnostics;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.TestSupport;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>The published ai-supervisor binary, its log lines kept for assertions and failure messages.</summary>
public sealed class SupervisorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private SupervisorProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Log => string.Join('\n', Lines);

    /// <summary>
    /// The first log line that matches, waiting for it: a line reaches this process through the logger and
    /// a pipe, and a D-Bus answer sent after it can arrive first.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"no matching ai-supervisor log line within {timeout.TotalSeconds}s\n{Log}");
            }

            await Task.Delay(10);
        }
    }

    public static async Task<SupervisorProcess> StartAsync(IReadOnlyDictionary<string, string?> env, string busAddress)
    {
        var psi = Run.Start(RepoPaths.Binary("ai-supervisor"), [], env);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ai-supervisor");
        process.StandardInput.Close();
        var supervisor = new SupervisorProcess(process);
        await WaitForNameAsync(busAddress, SupervisorBus.Name, TimeSpan.FromSeconds(10), () => supervisor.Log);
        return supervisor;
    }

    public static async Task WaitForNameAsync(string busAddress, string name, TimeSpan timeout, Func<string> diagnostics)
    {
        using var connection = new DBusConnection(busAddress);
        await connection.ConnectAsync();
        var watch = Stopwatch.StartNew();
        while (!(await connection.ListServicesAsync()).Contains(name))
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{name} did not appear on the bus within {timeout.TotalSeconds}s\n{diagnostics()}");
            }

            await Task.Delay(10);
        }
    }

    public void KillHard() => _ = Signals.Kill(_process.Id, Signals.SIGKILL);

    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = Signals.Kill(_process.Id, Signals.SIGTERM);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync();
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
