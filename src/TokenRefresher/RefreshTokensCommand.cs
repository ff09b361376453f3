using AiSandbox.Common.Cli;

namespace AiSandbox.TokenRefresher;

/// <summary>The <c>refresh-tokens</c> command line.</summary>
internal static class RefreshTokensCommand
{
    public const string Usage = """
        Usage: refresh-tokens <command>

        Keeps Claude OAuth credential files (.credentials*.json) fresh.

        Commands:
          --once                           refresh every chain in the refresh window, once
          --daemon                         refresh forever (Type=notify under systemd)
          --login [profile]                interactive OAuth login
          --list-active [profile]          list active credentials found in history
          --find-active <profile>          print the path of the freshest active credentials
          --copy-active <profile> <dest>   copy the freshest active credentials to dest
          -h, --help                       show this help

        Exit codes: 0 ok, 1 failure, 2 bad command line.

        """;

    public static Task<int> RunAsync(CommandContext context)
    {
        try
        {
            if (context.Args.Count == 0 || context.Args[0] is "-h" or "--help")
            {
                context.Stdout.Write(Usage);
                return Task.FromResult(ExitCodes.Ok);
            }

            throw UsageException.UnknownOption(context.Args[0]);
        }
        catch (UsageException e)
        {
            return Task.FromResult(e.Report(context.Stderr, Usage));
        }
    }
}
