using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Kube;
using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai kube [profile] [--no-refresher]</c>: the sandbox of the current directory as a Kubernetes Pod
/// manifest on standard output, with the chain's one refresher as a second Pod. Starts nothing; creates
/// the host directories the volumes name, as a launch would, so the manifest plays as printed.
/// </summary>
internal static class KubeCommand
{
    private static readonly CliOption NoRefresher = CliOption.Flag("--no-refresher", "leave out the ai-token-refresh Pod");

    private static readonly CliCommand Command = new(
        "ai kube [profile] [--no-refresher]",
        """
        Prints (to standard output) the sandbox ai [profile] would run here as a Kubernetes Pod manifest:
        the image with systemd as PID 1, the same environment and capabilities, every mount a hostPath
        volume (the settings directory among them, so the chain lock works as with ai), and a readiness
        probe that asks the sandbox's supervisor. A second Pod, ai-token-refresh, runs the standalone
        refresh-tokens --daemon on the same settings: the one refresher of the profile's chain. The
        sandbox's own refresher then refreshes only with 10 minutes left (REFRESH_BEFORE=600), so while
        ai-token-refresh runs the sandboxes only adopt its tokens. Play the refresher once per settings
        volume: --no-refresher leaves it out.
        """,
        [new CliPositional("profile", "the Claude profile, as for ai")],
        [NoRefresher],
        """
          podman kube play FILE     podman kube down FILE     kubectl apply -f FILE

        Environment: AI_DIR, AI_IMAGE, PORT, AI_SERVICES, AI_READY_TIMEOUT as for ai.

        Exit codes: 0 printed, 1 a host directory could not be created or PORT is invalid, 2 bad command
        line or an unusable profile name.
        """);

    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        if (Command.ParseOrAnswer(context.Args, context.Stdout, context.Stderr, out var exit) is not { } parsed)
        {
            return exit;
        }

        var profile = parsed.Positional(0);
        if (profile is not null && !ProfileName.IsValid(profile))
        {
            return new UsageException("invalid claude profile", ExitCodes.Usage, LogField.Quoted("profile", profile)).Report(context.Stderr, string.Empty);
        }

        var withRefresher = !parsed.Has(NoRefresher);
        var layout = HostLayout.From(context.Environment, services.Cwd, services.RepoDir);
        var port = LaunchValidator.PrimaryPort(context.Environment);
        // hostPath volumes of type Directory must exist: the same directories a launch creates, 0700.
        foreach (var volume in KubeManifest.Volumes(layout).Where(v => !v.ReadOnly))
        {
            new BindMount(volume.Source, volume.Target).EnsureSource();
        }

        Common.IO.AtomicFile.EnsureDirectory(Path.Combine(layout.SettingsDir, "dotfiles"));
        var image = Qualified(PodmanRunPlan.Image(context.Environment));
        await context.Stdout.WriteAsync(KubeManifest.Build(profile, layout, port, image, context.Environment, withRefresher)).ConfigureAwait(false);
        await context.Stdout.FlushAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>A bare <c>ai:latest</c> is podman's <c>localhost/ai:latest</c>; Kubernetes needs the full name.</summary>
    private static string Qualified(string image) =>
        image.Contains('/', StringComparison.Ordinal) ? image : "localhost/" + image;
}
