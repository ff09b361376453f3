using AiSandbox.Common.Cli;

namespace AiSandbox.TokenRefresher;

/// <summary>The <c>codex-login</c> command line (device-code flow).</summary>
internal static class CodexLoginCommand
{
    public const string Usage = """
        Usage: codex-login [profile] [--login|--status|--help]

        Signs in to Codex with a device code and saves auth.json for the profile.

        Exit codes: 0 ok, 1 failure or not logged in, 2 bad command line.

        """;

    public static Task<int> RunAsync(CommandContext context)
    {
        try
        {
            if (context.Args.Count > 0 && context.Args[0] is "-h" or "--help")
            {
                context.Stdout.Write(Usage);
                return Task.FromResult(ExitCodes.Ok);
            }

            foreach (var arg in context.Args)
            {
                if (arg.StartsWith('-') && arg is not ("--login" or "--status"))
                {
                    throw UsageException.UnknownOption(arg);
                }
            }

            context.Stderr.WriteLine("at=error msg=\"not implemented yet\"");
            return Task.FromResult(ExitCodes.Failure);
        }
        catch (UsageException e)
        {
            return Task.FromResult(e.Report(context.Stderr, Usage));
        }
    }
}
