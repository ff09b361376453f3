using AiSandbox.Common.Cli;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Commands;

/// <summary><c>ai exec [name|last] [cmd...]</c>, which with <c>ai ps</c> replaces the seed README's <c>pod</c> helper.</summary>
internal static class PsExecCommands
{
    // Its --help and its errors show ai's usage; the baseline's command exits 1 on a bad line.
    private static readonly CliCommand Exec = new(
        "ai exec [name|last] [command...]",
        string.Empty,
        [new CliPositional("name", "a running container, or last"), new CliPositional("command", "what to run in it (bash)", Many: true)],
        [],
        string.Empty)
    {
        OptionsFirst = true,
        UsageExitCode = ExitCodes.Failure,
    };

    /// <summary>No name or <c>last</c>: the most recently created running container. No command: bash.</summary>
    public static async Task<int> ExecAsync(CommandContext context, ShimServices services)
    {
        var parsed = Exec.Parse(context.Args);
        if (parsed.Help)
        {
            await context.Stdout.WriteAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var podman = services.RequirePodman(context);
        var name = parsed.Positional(0) ?? "last";
        if (name == "last")
        {
            name = await podman.LatestRunningAsync(context.Cancellation).ConfigureAwait(false)
                ?? throw new FatalException("no running container");
        }

        IReadOnlyList<string> command = parsed.Positionals.Count > 1 ? parsed.Positionals.Skip(1).ToArray() : ["bash"];
        return await podman.RunAttachedAsync(["exec", "--interactive", "--tty", name, .. command]).ConfigureAwait(false);
    }
}
