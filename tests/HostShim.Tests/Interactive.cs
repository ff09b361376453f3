using System.Diagnostics;
using System.Text;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// A command driven as a person would: its output read as it comes, answers written when the text asked
/// for appears. With <see cref="OnTerminal"/> the command runs on a pseudo-terminal (util-linux
/// <c>script</c>), so isatty(0) is true for it and the output is what the terminal shows.
/// </summary>
internal sealed class Interactive : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _seen = new();
    private readonly SemaphoreSlim _more = new(0);
    private readonly Task _pumps;

    private Interactive(ProcessStartInfo psi)
    {
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + psi.FileName);
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput), PumpAsync(_process.StandardError));
    }

    public static Interactive Start(string fileName, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> env, string cwd) =>
        new(Run.Start(fileName, args, env, cwd));

    /// <summary>Runs the command on a pseudo-terminal; everything it prints comes back on one stream.</summary>
    public static Interactive OnTerminal(string fileName, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> env, string cwd)
    {
        var script = File.Exists("/usr/bin/script") ? "/usr/bin/script"
            : throw new InvalidOperationException("util-linux script is required to give the command a terminal");
        var command = string.Join(' ', new[] { fileName }.Concat(args).Select(Commands.ShellQuote.Quote));
        return new(Run.Start(script, ["--quiet", "--return", "--command", command, "/dev/null"], env, cwd));
    }

    public string Seen
    {
        get
        {
            lock (_seen)
            {
                return _seen.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until the output contains <paramref name="text"/>; fails with the output when the command ends first.</summary>
    public async Task WaitForAsync(string text, TimeSpan bound)
    {
        using var cancel = new CancellationTokenSource(bound);
        while (!Seen.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && _pumps.IsCompleted)
            {
                Assert.Fail($"the command ended (exit {_process.ExitCode}) without printing \"{text}\":\n{Seen}");
            }

            try
            {
                await _more.WaitAsync(TimeSpan.FromMilliseconds(200), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no \"{text}\" within {bound.TotalSeconds} s:\n{Seen}");
            }
        }
    }

    /// <summary>The first line of the output that starts with http (the URL the person would open).</summary>
    public string Url() => Seen.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("http", StringComparison.Ordinal));

    public async Task TypeLineAsync(string line)
    {
        // A terminal's Enter is a carriage return; the line discipline turns it into the newline.
        await _process.StandardInput.WriteAsync(line + "\r");
        await _process.StandardInput.FlushAsync();
    }

    public async Task<int> ExitAsync(TimeSpan bound)
    {
        using var cancel = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await _pumps.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the command did not end within {bound.TotalSeconds} s:\n{Seen}");
        }

        return _process.ExitCode;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[512];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_seen)
            {
                _seen.Append(buffer, 0, n);
            }

            _more.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _more.Dispose();
    }
}
