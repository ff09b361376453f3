using System.Globalization;
using AiSandbox.Common.Unix;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// What <c>ai</c> does with SIGTERM and SIGHUP (a closed terminal) while the sandbox runs: <c>podman stop</c>
/// its container. Forwarding them is not enough: podman's signal proxy hands them to the container's
/// systemd, which takes SIGTERM as "re-execute" and SIGHUP as "reload", so the container would outlive
/// <c>ai</c>. <c>podman stop</c> sends the image's stop signal (SIGRTMIN+3, a clean halt) and gives it the
/// run's <c>--stop-timeout</c> before it kills.
/// </summary>
internal sealed class SandboxStop(PodmanCli podman, string name, TimeProvider time, TextWriter stderr)
{
    /// <summary>Longer than the run's --stop-timeout=60, after which podman stop kills the container itself.</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(90);

    /// <summary>How long podman run may stay attached after its container is gone (podman 4.3 was seen to).</summary>
    private static readonly TimeSpan DetachGrace = TimeSpan.FromSeconds(10);

    /// <summary>Stops the container and makes sure the attached <paramref name="run"/> returns.</summary>
    public async Task StopAsync(AttachedChild run, int signal)
    {
        Say("stopping the sandbox", signal);
        var ended = run.Exited;
        // At least once, also when podman run already returned (its terminal went away) while the container runs on;
        // again while the container did not exist yet when the signal came.
        do
        {
            try
            {
                await podman.CaptureAsync(["stop", "--ignore", name], CancellationToken.None, StopBound).ConfigureAwait(false);
            }
            catch (FatalException)
            {
                // No answer within the bound: podman run is told below, and the next round asks again.
            }

            if (await EndsWithinAsync(ended, DetachGrace).ConfigureAwait(false))
            {
                return;
            }

            var exists = await podman.CaptureAsync(["container", "exists", name], CancellationToken.None).ConfigureAwait(false);
            if (exists.ExitCode != 0)
            {
                // The container is gone and podman run is still attached: nothing is left for it to proxy to.
                _ = Signals.Kill(run.Id, 15);
                if (!await EndsWithinAsync(ended, DetachGrace).ConfigureAwait(false))
                {
                    run.Kill();
                }

                return;
            }
        }
        while (!ended.IsCompleted);
    }

    private async Task<bool> EndsWithinAsync(Task ended, TimeSpan bound)
    {
        if (ended.IsCompleted)
        {
            return true;
        }

        await Task.WhenAny(ended, Task.Delay(bound, time)).ConfigureAwait(false);
        return ended.IsCompleted;
    }

    // After SIGHUP the terminal may be gone: a write that fails must not stop the stop.
    private void Say(string message, int signal)
    {
        try
        {
            var line = Common.Logging.Logfmt.Format("info", null, message,
                [("name", name), ("signal", signal.ToString(CultureInfo.InvariantCulture))]);
            lock (stderr)
            {
                stderr.Write(line + (Native.IsATty(2) == 1 ? "\r\n" : "\n"));
                stderr.Flush();
            }
        }
        catch (IOException)
        {
        }
    }
}
