using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Copilot;

/// <summary><c>co [profile] [-r|--resume ID]</c></summary>
internal sealed record CopilotOptions(string? Profile, string? Resume, bool Help) : ILaunchOptions<CopilotOptions>
{
    public const string Usage = """
        Usage: co [profile] [-r|--resume ID]

        Waits for the sandbox's services, then replaces itself with GitHub Copilot's CLI with every
        permission prompt off (copilot --allow-all --no-auto-update, COPILOT_ALLOW_ALL=true, which also
        trusts the working directory). Copilot keeps its state (login, sessions, settings) in
        COPILOT_HOME=SETTINGS_ROOT/copilot[_<profile>], created 0700 when missing, so a login made in one
        sandbox (/login in copilot) is there in the next.

          profile              state profile: SETTINGS_ROOT/copilot_<profile> ([A-Za-z0-9._-]+)
          -r, --resume ID      resume the Copilot session with this id (or id prefix, or name)
          -h, --help           this text

        Environment: SETTINGS_ROOT (/settings), AI_READY_TIMEOUT (60 seconds).

        Exit codes: 0 --help, 1 failure (state directory not usable), 2 bad command line; otherwise the
        process becomes copilot.

        """;

    public static string UsageText => Usage;

    public static CopilotOptions Parse(IReadOnlyList<string> args)
    {
        string? profile = null, resume = null;
        var reader = new ArgReader(args);
        while (reader.Next())
        {
            if (reader.IsHelp)
            {
                return new CopilotOptions(null, null, true);
            }

            if (reader.Is("-r", "--resume"))
            {
                resume = reader.Value("a session id");
            }
            else if (reader.IsOption)
            {
                throw UsageException.UnknownOption(reader.Current);
            }
            else if (profile is not null)
            {
                throw UsageException.UnexpectedArgument(reader.Current);
            }
            else
            {
                profile = Names.Profile(reader.Current, "invalid copilot profile");
            }
        }

        return new CopilotOptions(profile, resume, false);
    }
}
