using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers;

/// <summary>Help and option checks for launchers whose behavior has not landed yet.</summary>
internal static class Placeholder
{
    public static Task<int> RunAsync(CommandContext context, string name, string summary)
    {
        var usage = $"Usage: {name} [options]\n\n{summary}\n\nExit codes: 0 ok, 1 failure, 2 bad command line.\n";
        foreach (var arg in context.Args)
        {
            if (arg is "-h" or "--help")
            {
                context.Stdout.Write(usage);
                return Task.FromResult(ExitCodes.Ok);
            }

            if (arg.StartsWith('-'))
            {
                return Task.FromResult(UsageException.UnknownOption(arg).Report(context.Stderr, usage));
            }
        }

        context.Stderr.WriteLine("at=error msg=\"not implemented yet\"");
        return Task.FromResult(ExitCodes.Failure);
    }
}
