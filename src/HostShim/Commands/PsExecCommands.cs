using AiSandbox.Common.Cli;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Commands;

/// <summary><c>ai exec [name|last] [cmd...]</c>, which with <c>ai ps</c> replaces the seed README's <c>pod</c> helper.</summary>
internal static class PsExecCommands
{
    /// <summary>No name or <c>last</c>: the most recently created running container. No command: bash.</summary>
    public static async Task<int> ExecAsync(CommandContext context, ShimServices services)
    {
        var args = context.Args;
        if (args is ["-h" or "--help", ..])
        {
            await context.Stdout.WriteAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (args is [{ } first, ..] && first.StartsWith('-'))
        {
            throw UsageException.UnknownOption(first, ExitCodes.Failure);
        }

        var podman = services.RequirePodman(context);
        var name = args.Count > 0 ? args[0] : "last";
        if (name == "last")
        {
            name = await podman.LatestRunningAsync(context.Cancellation).ConfigureAwait(false)
                ?? throw new FatalException("no running container");
        }

        IReadOnlyList<string> command = args.Count > 1 ? args.Skip(1).ToArray() : ["bash"];
        return await podman.RunAttachedAsync(["exec", "--interactive", "--tty", name, .. command]).ConfigureAwait(false);
    }
}
