using AiSandbox.Common.Cli;
using AiSandbox.HostShim.Sandboxes;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai ps</c>: every running sandbox, one line each, with the readiness its own supervisor publishes.
/// One <c>podman ps</c>, then one bounded <c>podman exec</c> per sandbox, all at once, so the whole
/// answer takes about as long as the slowest sandbox (at most <see cref="SandboxReadiness.Timeout"/>).
/// </summary>
internal static class PsCommand
{
    private static readonly CliCommand Command = new(
        "ai ps [-h|--help]",
        """
        Lists every running sandbox (containers named ai-c-NN-<project>): name, project, agent, profile,
        uptime, published ports (HOST_IP:HOST_PORT->CONTAINER_PORT/PROTO) and readiness, read from the
        sandbox's supervisor on its system bus: starting, ready, degraded(<failed services>), or unknown
        when the sandbox did not answer within 5 s. Project, agent and profile come from the labels ai
        gives each sandbox; "-" means none.
        """,
        [],
        [],
        "Exit codes: 0 listed (also when none runs), 1 podman missing or podman ps failed, 2 bad command line.");

    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        if (Command.ParseOrAnswer(context.Args, context.Stdout, context.Stderr, out var exit) is null)
        {
            return exit;
        }

        var podman = services.RequirePodman(context);
        var sandboxes = await SandboxList.ReadAsync(podman, context.Cancellation).ConfigureAwait(false);
        var readiness = await Task.WhenAll(sandboxes.Select(s => SandboxReadiness.ReadAsync(podman, s.Name, context.Cancellation))).ConfigureAwait(false);
        await context.Stdout.WriteAsync(SandboxTable.Format(sandboxes, readiness, context.Time.GetUtcNow())).ConfigureAwait(false);
        await context.Stdout.FlushAsync().ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
