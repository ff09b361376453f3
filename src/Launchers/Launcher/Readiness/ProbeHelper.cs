using System.Diagnostics;
using System.Globalization;
using AiSandbox.Launchers.Exec;
using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// Runs <c>ai-start --wait-snapshots SECONDS</c> and reads its snapshots: the probes of a wait without a
/// supervisor, in the binary that links the probe clients. Found through <c>AI_START_COMMAND</c>, else next
/// to this binary, else on the environment's PATH. Its stderr (a configuration error, say) goes straight to ours.
/// </summary>
internal sealed class ProbeHelper(IReadOnlyDictionary<string, string> environment, TimeProvider time)
{
    public const string CommandVariable = "AI_START_COMMAND";
    private const string Program = "ai-start";

    /// <exception cref="InvalidOperationException">The helper could not run or said nothing usable.</exception>
    /// <exception cref="TimeoutException">The helper was still running at <paramref name="deadline"/>; it has been killed.</exception>
    public async Task<ReadinessSnapshot> WaitAsync(TimeSpan timeout, TimeSpan deadline, IProgress<ReadinessSnapshot> progress,
        CancellationToken cancellationToken)
    {
        // The helper is killed before this returns, whatever ends the wait: the launcher execs next, and a
        // child left behind would outlive it under the agent's PID.
        using var expiry = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        var psi = ChildStart.Info(Locate(), ["--wait-snapshots", timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)], environment);
        psi.RedirectStandardOutput = true;

        using var process = Process.Start(psi) ?? throw new InvalidOperationException(Program + " did not start");
        try
        {
            ReadinessSnapshot? last = null;
            while (await process.StandardOutput.ReadLineAsync(linked.Token).ConfigureAwait(false) is { } line)
            {
                last = SnapshotLine.Parse(line);
                progress.Report(last);
            }

            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            return last is not null && process.ExitCode == 0
                ? last
                : throw new InvalidOperationException($"{Program} --wait-snapshots exited {process.ExitCode}");
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Program} --wait-snapshots still running after {deadline.TotalSeconds:0.#} s");
        }
        finally
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private string Locate()
    {
        var configured = LauncherHost.Lookup(environment, CommandVariable);
        var found = configured is not null
            ? ProgramPath.Resolve(configured, environment)
            : ProgramPath.Resolve(Path.Combine(AppContext.BaseDirectory, Program), environment) ?? ProgramPath.Resolve(Program, environment);
        return found ?? throw new InvalidOperationException(configured is not null
            ? $"{CommandVariable} is not an executable: {configured}"
            : $"{Program} is neither next to this program nor on PATH");
    }
}
