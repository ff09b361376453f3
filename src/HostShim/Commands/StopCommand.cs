using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Sandboxes;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai stop NAME…|--all</c>: <c>podman stop</c> with the sandbox's own stop budget, so podman sends the
/// image's stop signal (SIGRTMIN+3, systemd's clean halt) and waits as long as a launch told it to
/// (<see cref="PodmanRunPlan.StopTimeoutSeconds"/>) before it kills. Only sandboxes are stopped; several at once.
/// </summary>
internal static class StopCommand
{
    private static readonly CliOption All = CliOption.Flag("--all", "every running sandbox", "-a");

    private static readonly CliCommand Command = new(
        "ai stop NAME... | ai stop --all",
        """
        Stops running sandboxes cleanly: podman stop --time 60, which sends systemd its halt signal
        (SIGRTMIN+3) and gives the units 60 s (a token refresh already sent is finished and written) before
        podman kills. Several sandboxes stop at once. Prints "stopped NAME" for each. Only containers that
        ai ps lists are stopped.
        """,
        [new CliPositional("NAME...", "a sandbox as ai ps lists it", Many: true)],
        [All],
        """
        Exit codes: 0 every named sandbox stopped (or, with --all, none was running), 1 a name is not a
        running sandbox (nothing is stopped then) or podman stop failed, 2 bad command line.
        """);

    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        if (Command.ParseOrAnswer(context.Args, context.Stdout, context.Stderr, out var usageExit) is not { } parsed)
        {
            return usageExit;
        }

        var all = parsed.Has(All);
        var names = parsed.Positionals.ToList();
        if (all == (names.Count > 0))
        {
            return new UsageException(all ? "--all takes no names" : "name a sandbox or pass --all").Report(context.Stderr, Command.Usage);
        }

        var log = new LogfmtLog(context.Stderr, time: null);
        var podman = services.RequirePodman(context);
        var running = (await SandboxList.ReadAsync(podman, context.Cancellation).ConfigureAwait(false)).Select(s => s.Name).ToList();
        if (all)
        {
            names = running;
            if (names.Count == 0)
            {
                log.Info("no sandbox running");
                return ExitCodes.Ok;
            }
        }
        else if (names.FirstOrDefault(n => !running.Contains(n, StringComparer.Ordinal)) is { } missing)
        {
            throw new FatalException("not a running sandbox", LogField.Quoted("name", missing));
        }

        var budget = TimeSpan.FromSeconds(PodmanRunPlan.StopTimeoutSeconds + 30);
        var time = PodmanRunPlan.StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        var results = await Task.WhenAll(names.Distinct(StringComparer.Ordinal).Select(async name =>
            (Name: name, Output: await podman.CaptureAsync(["stop", "--time", time, name], context.Cancellation, budget).ConfigureAwait(false))))
            .ConfigureAwait(false);
        var exit = ExitCodes.Ok;
        foreach (var (name, output) in results)
        {
            if (output.ExitCode == 0)
            {
                await context.Stdout.WriteLineAsync("stopped " + name).ConfigureAwait(false);
            }
            else
            {
                log.Error("podman stop failed", LogField.Quoted("name", name), ("exit", output.ExitCode), LogField.Quoted("error", output.FirstErrorLine));
                exit = ExitCodes.Failure;
            }
        }

        await context.Stdout.FlushAsync().ConfigureAwait(false);
        return exit;
    }
}
