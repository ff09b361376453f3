using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Claude;

/// <summary><c>c [profile] [--apikey KEY] [-r|--resume ID] [-d|--debug[=FILTER]] [--remote] [--fast] [-h]</c></summary>
internal sealed record ClaudeOptions(string? Profile, string? ApiKey, string? Resume, bool Debug, string? DebugFilter, bool Remote, bool Fast, bool Help) : ILaunchOptions<ClaudeOptions>
{
    public const string Usage = """
        Usage: c [profile] [--apikey KEY] [-r|--resume ID] [-d|--debug[=FILTER]] [--remote] [--fast]

        Waits for the sandbox's services, prepares a new Claude session home under HISTORY_ROOT (or
        reuses the resumed one), and replaces itself with claude --dangerously-skip-permissions.

          profile            OAuth profile: SETTINGS_ROOT/.credentials.<profile>.json ([A-Za-z0-9._-]+)
          --apikey KEY       use an Anthropic API key instead of a profile (ANTHROPIC_API_KEY)
          -r, --resume ID    resume the session whose id starts with ID (profile taken from that session)
          -d, --debug[=F]    pass --debug [F] to claude
          --remote           start with remote control on (also AI_REMOTE=1)
          --fast             start in fast mode (also AI_FAST=1)
          -h, --help         this text

        Environment: HISTORY_ROOT (/history), SETTINGS_ROOT (/settings), CLAUDE_SETTINGS_FILE
        (/claude/settings.json), CLAUDE_JSON_TEMPLATE (/claude/claude.json), PLUGIN_ROOT
        (/opt/claude-plugins/enabled), PLUGIN_BLOCKLIST (/opt/claude-plugins/blocklist), AI_READY_TIMEOUT
        (60 seconds), HOST_DIR, DBUS_SYSTEM_BUS_ADDRESS.

        Exit codes: 0 ok (--help), 1 failure (no session found, bad settings file, claude not found),
        2 bad command line. On success the process becomes claude and exits with claude's code.

        """;

    public static string UsageText => Usage;

    public static ClaudeOptions Parse(IReadOnlyList<string> args)
    {
        string? profile = null, apiKey = null, resume = null, filter = null;
        bool debug = false, remote = false, fast = false;
        var reader = new ArgReader(args);
        while (reader.Next())
        {
            if (reader.IsHelp)
            {
                return new ClaudeOptions(null, null, null, false, null, false, false, true);
            }

            if (reader.Is("--apikey"))
            {
                apiKey = reader.Value("a key");
            }
            else if (reader.Is("-r", "--resume"))
            {
                resume = reader.Value("a session id");
            }
            else if (reader.Current is "-d" or "--debug")
            {
                debug = true;
            }
            else if (reader.Current.StartsWith("--debug=", StringComparison.Ordinal))
            {
                debug = true;
                filter = reader.Value("a filter");
            }
            else if (reader.Current == "--remote")
            {
                remote = true;
            }
            else if (reader.Current == "--fast")
            {
                fast = true;
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
                profile = Names.Profile(reader.Current);
            }
        }

        return new ClaudeOptions(profile, apiKey, resume, debug, filter, remote, fast, false);
    }
}
