using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Podman;
using AiSandbox.HostShim.Tokens;

namespace AiSandbox.HostShim.Commands;

/// <summary><c>ai [agent] [profile] [options]</c>: validate, prepare the host, refresh the token, run the sandbox.</summary>
internal static class LaunchCommand
{
    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        var log = new LogfmtLog(context.Stderr, time: null);
        var (parsed, portLists) = LaunchArgumentParser.Parse(context.Args);
        if (parsed.Help)
        {
            await context.Stdout.WriteAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var layout = HostLayout.From(context.Environment, services.Cwd, services.RepoDir);
        // With a person at the terminal, a profile without credentials is logged in below, not refused here.
        var offerLogin = !parsed.DryRun && services.CanPrompt;
        var args = LaunchValidator.Validate(parsed, portLists, layout, context.Environment, offerLogin);
        var primaryPort = LaunchValidator.PrimaryPort(context.Environment);
        var podman = services.FindPodman(context);
        if (args.DryRun)
        {
            return await DryRunAsync(context, services, log, args, layout, primaryPort, podman).ConfigureAwait(false);
        }

        if (podman is null)
        {
            throw PodmanCli.NotFound();
        }

        // Everything podman says that can stop the launch is asked before anything is created or started, and
        // all of it at once: one after the other, podman's answers cost a second under load.
        var infoCache = PodmanInfoCache.For(podman, context.Environment);
        var infoTask = PodmanInfoCache.FactsAsync(podman, infoCache, context.Cancellation);
        var namesTask = podman.NamesAsync(all: true, context.Cancellation);
        var imageTask = Image.ImageCheck.ProbeAsync(context, podman, layout.RepoDir);
        var facts = await infoTask.ConfigureAwait(false);
        HostFit.EnsureCanBoot(facts);
        var host = services.HostFacts(context);
        var refreshInContainer = HostRefreshMode.InContainer(facts, context.Environment);
        foreach (var dir in new[] { "bundle", "commandhistory", "history", "repos", Path.Combine("settings", "dotfiles"), "share" })
        {
            Common.IO.AtomicFile.EnsureDirectory(Path.Combine(layout.AiDir, dir));
        }

        // A login or an image build takes minutes, in which another sandbox may have taken the name: ask again then.
        var waited = false;
        if (args.ClaudeProfile is { } first && !File.Exists(layout.ClaudeCredentials(first)))
        {
            waited = true;
            if (!await FirstLogin.ClaudeAsync(context, services, layout, first, log).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }
        }
        else if (args.CodexProfile is { } codex && !File.Exists(layout.CodexAuth(codex)))
        {
            waited = true;
            if (!await FirstLogin.CodexAsync(context, services, layout, codex, log).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }
        }
        else if (args.ClaudeProfile is { } profile)
        {
            var chains = refreshInContainer
                ? new ContainerChains(podman, facts, host, context.Environment, services.Chains, context.Stderr)
                : services.Chains;
            var flow = new HostTokenFlow(chains, context.Time, context.Environment);
            if (!await flow.EnsureAsync(layout, profile, context.Stdin, context.Stdout, log, context.Cancellation).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }
        }

        // After the login, which may ask the user something: a build that follows needs no one at the keyboard.
        var image = await imageTask.ConfigureAwait(false);
        waited |= image.Missing;
        if (!await Image.ImageCheck.EnsureAsync(context, log, podman, layout.RepoDir, image).ConfigureAwait(false))
        {
            return ExitCodes.Failure;
        }

        var names = waited ? await podman.NamesAsync(all: true, context.Cancellation).ConfigureAwait(false) : await namesTask.ConfigureAwait(false);
        var plan = Plan(args, layout, primaryPort, names, facts, host, context.Environment);
        foreach (var mount in plan.Mounts)
        {
            mount.EnsureSource();
        }

        return await RunPlanAsync(context, log, plan, podman, infoCache).ConfigureAwait(false);
    }

    private static async Task<int> DryRunAsync(CommandContext context, ShimServices services, LogfmtLog log, LaunchArguments args, HostLayout layout,
        int primaryPort, PodmanCli? podman)
    {
        PodmanRunPlan plan;
        if (podman is null)
        {
            log.Warn("podman not found on PATH; assuming rootful podman and no existing containers");
            plan = PodmanRunPlan.Build(args, layout, primaryPort, InstanceName.Choose(InstanceName.Project(layout.ProjectDirName), []),
                PodmanFacts.Unknown, services.HostFacts(context), context.Environment);
        }
        else
        {
            var facts = await PodmanInfoCache.FactsAsync(podman, PodmanInfoCache.For(podman, context.Environment), context.Cancellation).ConfigureAwait(false);
            if (facts.Rootless && facts.CgroupVersion == "v1")
            {
                log.Warn("rootless podman on a cgroup v1 host cannot boot the sandbox; a real launch stops here");
            }

            var names = await podman.NamesAsync(all: true, context.Cancellation).ConfigureAwait(false);
            plan = Plan(args, layout, primaryPort, names, facts, services.HostFacts(context), context.Environment);
        }

        await context.Stdout.WriteLineAsync("podman").ConfigureAwait(false);
        foreach (var arg in plan.Arguments)
        {
            await context.Stdout.WriteLineAsync(arg).ConfigureAwait(false);
        }

        await context.Stdout.FlushAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static PodmanRunPlan Plan(LaunchArguments args, HostLayout layout, int primaryPort, IReadOnlyList<string> names,
        PodmanFacts facts, HostFacts host, Func<string, string?> environment)
    {
        var name = InstanceName.Choose(InstanceName.Project(layout.ProjectDirName), [.. names]);
        return PodmanRunPlan.Build(args, layout, primaryPort, name, facts, host, environment);
    }

    private static async Task<int> RunPlanAsync(CommandContext context, LogfmtLog log, PodmanRunPlan plan, PodmanCli podman,
        PodmanInfoCache? infoCache)
    {
        // Without our own socket, an inherited NOTIFY_SOCKET (ai run from a systemd unit) must not reach
        // podman, whose default would hand it to the sandbox's systemd.
        var env = new Dictionary<string, string?>(StringComparer.Ordinal) { ["NOTIFY_SOCKET"] = null };
        NotifyListener? listener = null;
        var startedAt = 0L;
        if (plan.SdNotify)
        {
            var reported = 0;
            listener = NotifyListener.Start(message =>
            {
                if (NotifyListener.IsReady(message) && Interlocked.Exchange(ref reported, 1) == 0)
                {
                    var seconds = context.Time.GetElapsedTime(Interlocked.Read(ref startedAt)).TotalSeconds;
                    ReportReady(context.Stderr, plan.Name, seconds);
                }
            });
            env["NOTIFY_SOCKET"] = listener.SocketPath;
        }

        // The name is what `ai exec` and `podman` commands need; say it before podman takes the terminal.
        log.Info("starting sandbox", ("name", plan.Name), ("image", plan.Arguments[^1]));
        try
        {
            Interlocked.Exchange(ref startedAt, context.Time.GetTimestamp());
            var stop = new SandboxStop(podman, plan.Name, context.Time, context.Stderr);
            var relay = plan.QuietConsole && Podman.Terminal.TerminalRelay.Usable();
            var exit = await podman.RunAttachedAsync(plan.Arguments, env, stop.StopAsync, relay).ConfigureAwait(false);
            if (exit is 125 or 126)
            {
                // podman's own failure (125) or the OCI runtime's (126): its message is on the terminal
                // above; name the two causes users meet most.
                log.Error("podman could not start the sandbox", ("exit", exit),
                    ("hint", "image not known: run ./build_image; crun \"hybrid mode not supported\": install runc; crun keyring \"Disk quota exceeded\": run ai setup-vm (podman machine) or raise kernel.keys.maxkeys, or set keyring = false in containers.conf"));
                // Perhaps podman or its configuration changed in a way the cache's key does not see: ask afresh next time.
                infoCache?.Forget();
            }

            return exit;
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // podman holds the terminal in raw mode while attached, so a bare \n would not return the carriage.
    private static void ReportReady(TextWriter stderr, string name, double seconds)
    {
        var line = Logfmt.Format("info", null, "sandbox ready",
            [("name", name), ("seconds", seconds.ToString("0.00", CultureInfo.InvariantCulture))]);
        lock (stderr)
        {
            stderr.Write(line + (Native.IsATty(2) == 1 ? "\r\n" : "\n"));
            stderr.Flush();
        }
    }
}
