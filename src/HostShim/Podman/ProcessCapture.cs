using System.Diagnostics;

namespace AiSandbox.HostShim.Podman;

/// <summary>Runs a child with empty stdin and captured output: podman's questions and the build's helpers.</summary>
internal static class ProcessCapture
{
    /// <param name="path">The executable.</param>
    /// <param name="args">Its arguments, never re-split.</param>
    /// <param name="environment">Variables set (null: removed) on top of the inherited environment.</param>
    /// <param name="timeout">How long the child may take; null waits for it.</param>
    /// <param name="time">The clock <paramref name="timeout"/> runs on.</param>
    /// <param name="cancellation">Stops the wait.</param>
    /// <exception cref="FatalException">It could not be started, or it outlived <paramref name="timeout"/> (then it is killed).</exception>
    public static async Task<ProcessOutput> RunAsync(string path, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment,
        TimeSpan? timeout, TimeProvider time, CancellationToken cancellation)
    {
        var psi = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        AttachedRun.Apply(psi, environment);
        using var process = Process.Start(psi) ?? throw new FatalException("cannot start", ("path", path));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        using var limit = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan, time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation, limit.Token);

        try
        {
            await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new FatalException("no answer in time", ("command", Path.GetFileName(path) + " " + string.Join(' ', psi.ArgumentList)),
                ("seconds", (long)timeout!.Value.TotalSeconds));
        }

        return new ProcessOutput(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
