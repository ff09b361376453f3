using System.Diagnostics;

namespace AiSandbox.TestSupport;

/// <summary>Runs real processes with a clean, explicit environment and a hard timeout.</summary>
public static class Run
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs a published command (see <see cref="RepoPaths.Binary"/>).</summary>
    public static Task<ProcessResult> CommandAsync(string command, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null, string? stdin = null, string? cwd = null, TimeSpan? timeout = null) =>
        ProcessAsync(RepoPaths.Binary(command), args, env, stdin, cwd, timeout);

    public static async Task<ProcessResult> ProcessAsync(string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null, string? stdin = null, string? cwd = null, TimeSpan? timeout = null)
    {
        var psi = Start(fileName, args, env, cwd);
        using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not exit within {(timeout ?? DefaultTimeout).TotalSeconds}s");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// A start description with a minimal environment: PATH, HOME and what the test passes. A variable
    /// set to null is removed, so nothing of the developer's shell leaks into what a test asserts on.
    /// </summary>
    public static ProcessStartInfo Start(string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null, string? cwd = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Clear();
        psi.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        psi.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        psi.Environment["LANG"] = "C.UTF-8";
        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                if (value is null)
                {
                    psi.Environment.Remove(key);
                }
                else
                {
                    psi.Environment[key] = value;
                }
            }
        }

        return psi;
    }
}
