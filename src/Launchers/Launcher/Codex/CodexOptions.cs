using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Codex;

/// <summary><c>cx [profile] [-p|--profile CONFIG] [-r|--resume ID]</c></summary>
internal sealed record CodexOptions(string? Profile, string? ConfigProfile, string? Resume, bool Help) : ILaunchOptions<CodexOptions>
{
    public const string Usage = """
        Usage: cx [profile] [-p|--profile CONFIG] [-r|--resume ID]

        Waits for the sandbox's services, points ~/.codex at a session home under HISTORY_ROOT, installs
        the newest of the profile's auth.json and the session's own, runs codex, copies auth.json back
        when codex refreshed it and it is newer than the shared one (last_refresh), and exits with
        codex's code.

          profile              auth profile: SETTINGS_ROOT/codex_<profile>/auth.json ([A-Za-z0-9._-]+)
          -p, --profile NAME   Codex config profile: <settings>/codex[_<profile>]/<NAME>.config.toml
          -r, --resume ID      resume the Codex session whose id starts with ID
          -h, --help           this text

        Environment: HISTORY_ROOT (/history), SETTINGS_ROOT (/settings), CODEX_PLUGIN_ROOT
        (/opt/codex-plugins), AI_READY_TIMEOUT (60 seconds), HOST_DIR, HOST_WORKDIR.

        Exit codes: codex's own code once it ran; 1 failure (missing auth, no session found), 2 bad
        command line, 0 for --help.

        """;

    public static string UsageText => Usage;

    public static CodexOptions Parse(IReadOnlyList<string> args)
    {
        string? profile = null, config = null, resume = null;
        var reader = new ArgReader(args);
        while (reader.Next())
        {
            if (reader.IsHelp)
            {
                return new CodexOptions(null, null, null, true);
            }

            if (reader.Is("-p", "--profile"))
            {
                config = Names.Profile(reader.Value("a name"), "invalid Codex config profile");
            }
            else if (reader.Is("-r", "--resume"))
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
                profile = Names.Profile(reader.Current, "invalid codex profile");
            }
        }

        return new CodexOptions(profile, config, resume, false);
    }
}
