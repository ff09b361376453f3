using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai token-refresh</c> (the baseline's <c>bin/token-refresh</c>): the standalone
/// <c>refresh-tokens --daemon</c> container on <c>~/ai/settings</c>, started only when it is not running,
/// then its last log lines.
/// </summary>
internal static class TokenRefreshCommand
{
    public const string ContainerName = "token-refresh";

    // No words of its own; its --help and its errors show ai's usage. The baseline's command exits 1 on a bad line.
    private static readonly CliCommand Command = new("ai token-refresh", string.Empty, [], [], string.Empty) { UsageExitCode = ExitCodes.Failure };

    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        if (Command.Parse(context.Args).Help)
        {
            await context.Stdout.WriteAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var log = new LogfmtLog(context.Stderr, time: null);
        var podman = services.RequirePodman(context);
        var running = await podman.NamesAsync(all: false, context.Cancellation, $"name=^{ContainerName}$").ConfigureAwait(false);
        if (running.Contains(ContainerName))
        {
            log.Info("token-refresh container is already running");
        }
        else
        {
            // A stopped one with the same name would block the new one; it holds nothing worth keeping.
            _ = await podman.CaptureAsync(["rm", "--force", ContainerName], context.Cancellation).ConfigureAwait(false);
            var settings = Path.Combine(HostLayout.AiDirFrom(context.Environment, services.Cwd), "settings");
            Common.IO.AtomicFile.EnsureDirectory(settings);
            var facts = await podman.InfoAsync(context.Cancellation).ConfigureAwait(false);
            var started = await podman.CaptureAsync(RunArguments(settings, facts, services.HostFacts(context), context.Environment),
                context.Cancellation).ConfigureAwait(false);
            if (started.ExitCode != 0)
            {
                throw new FatalException("token-refresh container failed to start", ("exit", started.ExitCode), ("error", started.FirstErrorLine));
            }

            log.Info("token-refresh container started");
        }

        var logs = await podman.CaptureAsync(["logs", "--tail", "5", ContainerName], context.Cancellation).ConfigureAwait(false);
        await context.Stdout.WriteAsync(logs.Stdout + logs.Stderr).ConfigureAwait(false);
        await context.Stdout.FlushAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    public static IReadOnlyList<string> RunArguments(string settingsDir, PodmanFacts facts, HostFacts host, Func<string, string?> env)
    {
        // refresh-tokens is PID 1 here, not systemd: it stops on SIGTERM, while the image's stop signal is
        // systemd's SIGRTMIN+3, which it would ignore until podman's 10 s kill. On SIGTERM it still finishes a
        // refresh already sent (one 15 s attempt + writes, 30 s at most), so podman stop waits 45 s, not 10.
        var args = new List<string> { "run", "--detach", "--name", ContainerName, "--pull=never", "--stop-signal=SIGTERM", "--stop-timeout=45" };
        args.AddRange(HostFit.Arguments(facts, host));

        args.AddRange(["--env", "CREDENTIALS_DIR=/settings"]);
        args.AddRange(new BindMount(settingsDir, "/settings").ToArguments());
        args.AddRange(PodmanRunPlan.ExtraArguments(env));
        args.Add(PodmanRunPlan.Image(env));
        args.AddRange(["/usr/local/bin/refresh-tokens", "--daemon"]);
        return args;
    }
}
