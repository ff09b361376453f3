using System.Diagnostics;
using System.Threading.Channels;
using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>A running published binary whose output is read line by line as it comes (login prompts, daemons).</summary>
public sealed class LiveProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];
    private readonly Task _pumps;
    private readonly Sandbox _box;

    public LiveProcess(Sandbox box, string command, IEnumerable<string> args, Dictionary<string, string?> env)
    {
        _box = box;
        var psi = Run.Start(RepoPaths.Binary(command), args, env);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + command);
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput, toChannel: true), PumpAsync(_process.StandardError, toChannel: false));
    }

    public int Pid => _process.Id;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_all)
            {
                return _all.ToList();
            }
        }
    }

    public StreamWriter Stdin => _process.StandardInput;

    /// <summary>Waits for a stdout line matching <paramref name="match"/> (checking each for secrets on the way).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _stdout.Reader.ReadAsync(cts.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"no matching line within {timeout.TotalSeconds}s; output so far:\n{string.Join('\n', Lines)}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await _pumps;
        return _process.ExitCode;
    }

    public void Signal(int signal) => _ = Kill(_process.Id, signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        try
        {
            await _pumps.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _box.Record(Lines);
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, bool toChannel)
    {
        // Read by characters so a prompt without a newline ("Code: ") still arrives.
        var buffer = new char[1024];
        var line = new System.Text.StringBuilder();
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] == '\n')
                {
                    Emit(line.ToString(), toChannel);
                    line.Clear();
                }
                else
                {
                    line.Append(buffer[i]);
                }
            }

            if (line.ToString() == "Code: ")
            {
                Emit(line.ToString(), toChannel);
                line.Clear();
            }
        }

        if (line.Length > 0)
        {
            Emit(line.ToString(), toChannel);
        }

        if (toChannel)
        {
            _stdout.Writer.TryComplete();
        }
    }

    private void Emit(string line, bool toChannel)
    {
        lock (_all)
        {
            _all.Add(line);
        }

        _box.Server.AssertNoSecrets([line]);
        if (toChannel)
        {
            _stdout.Writer.TryWrite(line);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
