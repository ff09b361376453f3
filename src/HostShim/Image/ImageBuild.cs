using System.Diagnostics;
using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Image;

/// <summary>
/// Runs the repository's <c>build_image</c> for a missing image. Its progress (podman's build steps) goes
/// to the terminal as it comes; without a terminal the same steps arrive as log lines on stderr.
/// </summary>
internal static class ImageBuild
{
    /// <summary>
    /// Measured on a 2-core machine of the kind the README targets: the debootstrap base 59 s (once), the
    /// image 3 min idle and 8 min with other builds running; ./publish adds seconds when nothing changed.
    /// </summary>
    public const string Duration = "about 5 minutes (Debian base 1, image 3 to 8 on 2 cores)";

    public static async Task<bool> RunAsync(CommandContext context, LogfmtLog log, PodmanCli podman, string repoDir, string image)
    {
        var script = Path.Combine(repoDir, "build_image");
        if (!File.Exists(script))
        {
            throw new FatalException("image not found and no build_image to make it", ("image", image), ("repo", repoDir));
        }

        log.Info($"image not found: building it with ./build_image, {Duration}", ("image", image));
        var started = context.Time.GetTimestamp();
        var psi = new ProcessStartInfo(script)
        {
            UseShellExecute = false,
            WorkingDirectory = repoDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            // On a terminal the build writes its steps there itself; otherwise they pass through our stderr.
            RedirectStandardError = Native.IsATty(2) != 1,
        };
        AttachedRun.Apply(psi, podman.ChildEnvironment);
        psi.Environment["AI_IMAGE"] = image;
        using var process = Process.Start(psi) ?? throw new FatalException("cannot start build_image", ("path", script));
        process.StandardInput.Close();
        // The image name build_image prints on stdout is not for the user's stdout (the sandbox's terminal).
        var stdout = ForwardAsync(process.StandardOutput, null);
        var stderr = psi.RedirectStandardError ? ForwardAsync(process.StandardError, context.Stderr) : Task.CompletedTask;
        try
        {
            await process.WaitForExitAsync(context.Cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        var seconds = context.Time.GetElapsedTime(started).TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        if (process.ExitCode != 0)
        {
            log.Fatal("./build_image failed; the lines above say why", ("image", image), ("exit", process.ExitCode), ("seconds", seconds));
            return false;
        }

        log.Info("image built", ("image", image), ("seconds", seconds));
        return true;
    }

    /// <summary>Runs a helper script with captured output (the inputs hash).</summary>
    public static Task<ProcessOutput> CaptureAsync(string path, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?> environment, CancellationToken cancellation) =>
        ProcessCapture.RunAsync(path, args, environment, timeout: null, TimeProvider.System, cancellation);

    private static async Task ForwardAsync(StreamReader from, TextWriter? to)
    {
        while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (to is not null)
            {
                lock (to)
                {
                    to.WriteLine(line);
                    to.Flush();
                }
            }
        }
    }
}
