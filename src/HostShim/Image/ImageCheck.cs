using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Image;

/// <summary>
/// Before a sandbox starts: the image exists (when missing, <c>./build_image</c> makes it, as the README's
/// first <c>bin/ai</c> would otherwise fail with podman's "image not known"), and when its inputs label
/// differs from the checkout's inputs hash one line says so and how to rebuild; the sandbox still starts.
/// </summary>
internal static class ImageCheck
{
    /// <summary>The label container/build puts on the image: container/inputs-hash of the checkout it was built from.</summary>
    public const string InputsLabel = "org.aisandbox.inputs";

    /// <summary>What the check needs from podman and the checkout, asked side by side; start it early, it only reads.</summary>
    public static async Task<Probe> ProbeAsync(CommandContext context, PodmanCli podman, string repoDir)
    {
        var image = Launch.PodmanRunPlan.Image(context.Environment);
        var checkout = CheckoutInputsAsync(repoDir, podman, context.Cancellation);
        var inspect = await podman.CaptureAsync(["image", "inspect", "--format", $"{{{{index .Labels \"{InputsLabel}\"}}}}", image],
            context.Cancellation).ConfigureAwait(false);
        return new Probe(image, inspect, await checkout.ConfigureAwait(false));
    }

    /// <summary>Builds the image when it is missing, reports a stale one; returns false when a needed build failed.</summary>
    public static async Task<bool> EnsureAsync(CommandContext context, LogfmtLog log, PodmanCli podman, string repoDir, Probe probe)
    {
        var (image, inspect, checkoutInputs) = probe;
        if (inspect.ExitCode == 0)
        {
            ReportStale(log, image, Label(inspect.Stdout), checkoutInputs, repoDir);
            return true;
        }

        if (!probe.Missing)
        {
            // Not ours to diagnose: podman run says what is wrong with its store.
            log.Warn("podman image inspect failed", ("image", image), ("exit", inspect.ExitCode), ("error", inspect.FirstErrorLine));
            return true;
        }

        return await ImageBuild.RunAsync(context, log, podman, repoDir, image).ConfigureAwait(false);
    }

    /// <summary>Whether the image exists (podman's inspect answer) and the checkout's inputs hash, null outside a checkout.</summary>
    public sealed record Probe(string Image, ProcessOutput Inspect, string? CheckoutInputs)
    {
        public bool Missing => Inspect.ExitCode != 0 && IsMissing(Inspect.Stderr);
    }

    private static bool IsMissing(string stderr) =>
        stderr.Contains("image not known", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("no such image", StringComparison.OrdinalIgnoreCase);

    // An image without the label (made before it existed, or by another recipe) prints "" or "<no value>".
    private static string Label(string stdout) =>
        stdout.Trim() is { } value && value != "<no value>" ? value : "";

    private static void ReportStale(LogfmtLog log, string image, string label, string? checkout, string repoDir)
    {
        if (checkout is null || checkout == label)
        {
            return;
        }

        log.Warn("the checkout has moved past the image: ./build_image rebuilds it", ("image", image),
            ("image_inputs", label.Length > 0 ? label : "none"), ("checkout_inputs", checkout),
            ("fix", Path.Combine(repoDir, "build_image")));
    }

    /// <summary>container/inputs-hash of the repository; null without the script (a binary used outside a checkout).</summary>
    private static async Task<string?> CheckoutInputsAsync(string repoDir, PodmanCli podman, CancellationToken cancellation)
    {
        var script = Path.Combine(repoDir, "container", "inputs-hash");
        if (!File.Exists(script))
        {
            return null;
        }

        try
        {
            var output = await ImageBuild.CaptureAsync(script, [repoDir], podman.ChildEnvironment, cancellation).ConfigureAwait(false);
            return output.ExitCode == 0 && output.Stdout.Trim() is { Length: > 0 } hash ? hash : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not executable (a checkout copied without modes): no notice rather than no sandbox.
            return null;
        }
    }
}
