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
    public const string Usage = """
        Usage: ai stop NAME... | ai stop --all

        Stops running sandboxes cleanly: podman stop --time 60, which sends systemd its halt signal
        (SIGRTMIN+3) and gives the units 60 s (a token refresh already sent is finished and written) before
        podman kills. Several sandboxes stop at once. Prints "stopped NAME" for each. Only containers that
        ai ps lists are stopped.

          --all       every running sandbox

        Exit codes: 0 every named sandbox stopped (or, with --all, none was running), 1 a name is not a
        running sandbox (nothing is stopped then) or podman stop failed, 2 bad command line.

        """;

    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        var all = false;
        var names = new List<string>();
        foreach (var arg in context.Args)
        {
            switch (arg)
            {
                case "-h" or "--help":
                    await context.Stdout.WriteAsync(Usage).ConfigureAwait(false);
                    return ExitCodes.Ok;
                case "--all" or "-a":
                    all = true;
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        return UsageException.UnknownOption(arg).Report(context.Stderr, Usage);
                    }

                    names.Add(arg);
                    break;
            }
        }

        if (all == (names.Count > 0))
        {
            return new UsageException(all ? "--all takes no names" : "name a sandbox or pass --all").Report(context.Stderr, Usage);
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
