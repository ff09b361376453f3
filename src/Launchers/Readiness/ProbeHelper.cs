using System.Diagnostics;
using System.Globalization;
using AiSandbox.ServiceBootstrap.Readiness;
using Wire = AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// Runs <c>ai-start --wait-snapshots SECONDS</c> and reads its snapshots: the probes of a wait without a
/// supervisor, in the binary that links the probe clients. Found through <c>AI_START_COMMAND</c>, else next
/// to this binary, else on PATH. Its stderr (a configuration error, say) goes straight to ours.
/// </summary>
internal sealed class ProbeHelper(Func<string, string?> env, IReadOnlyDictionary<string, string> environment)
{
    public const string CommandVariable = "AI_START_COMMAND";
    private const string Program = "ai-start";

    /// <exception cref="InvalidOperationException">The helper could not run or said nothing usable.</exception>
    public async Task<Wire.ReadinessSnapshot> WaitAsync(TimeSpan timeout, IProgress<Wire.ReadinessSnapshot> progress, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(Locate()) { UseShellExecute = false, RedirectStandardOutput = true };
        psi.ArgumentList.Add("--wait-snapshots");
        psi.ArgumentList.Add(timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        psi.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException(Program + " did not start");
        try
        {
            Wire.ReadinessSnapshot? last = null;
            while (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                last = SnapshotLine.Parse(line);
                progress.Report(last);
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return last is not null && process.ExitCode == 0
                ? last
                : throw new InvalidOperationException($"{Program} --wait-snapshots exited {process.ExitCode}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private string Locate()
    {
        if (env(CommandVariable) is { } configured)
        {
            return configured;
        }

        var sibling = Path.Combine(AppContext.BaseDirectory, Program);
        return File.Exists(sibling) ? sibling : Program;
    }
}
