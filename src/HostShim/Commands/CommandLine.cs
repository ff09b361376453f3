using System.Diagnostics.CodeAnalysis;
using AiSandbox.Common.Cli;

namespace AiSandbox.HostShim.Commands;

/// <summary>The command line of a subcommand with a usage of its own (<c>ps</c>, <c>stop</c>, <c>kube</c>): its help and its errors show that usage, not ai's.</summary>
internal static class CommandLine
{
    /// <returns>False when the run ends here: <c>--help</c> printed (exit 0) or a bad line reported; <paramref name="exit"/> is its code.</returns>
    public static bool TryRead(CliCommand command, CommandContext context, [NotNullWhen(true)] out CliArgs? args, out int exit)
    {
        exit = ExitCodes.Ok;
        try
        {
            args = command.Parse(context.Args);
        }
        catch (UsageException e)
        {
            args = null;
            exit = e.Report(context.Stderr, command.Usage);
            return false;
        }

        if (args.Help)
        {
            context.Stdout.Write(command.Usage);
            context.Stdout.Flush();
            args = null;
            return false;
        }

        return true;
    }
}
