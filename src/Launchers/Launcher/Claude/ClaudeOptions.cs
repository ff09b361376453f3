using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Claude;

/// <summary><c>c [profile] [--apikey | --apikey-file PATH] [-r|--resume ID] [-d|--debug[=FILTER]] [--remote] [--fast] [-h]</c></summary>
/// <param name="ApiKey">True for <c>--apikey</c> or <c>--apikey-file</c>: the key itself never comes from argv (see <see cref="ApiKeySource"/>).</param>
internal sealed record ClaudeOptions(string? Profile, bool ApiKey, string? ApiKeyFile, string? Resume, bool Debug, string? DebugFilter, bool Remote, bool Fast, bool Help)
    : ILaunchOptions<ClaudeOptions>
{
    public const string Usage = """
        Usage: c [profile] [--apikey | --apikey-file PATH] [-r|--resume ID] [-d|--debug[=FILTER]] [--remote] [--fast]

        Waits for the sandbox's services, prepares a new Claude session home under HISTORY_ROOT (or
        reuses the resumed one), and replaces itself with claude --dangerously-skip-permissions.

          profile            OAuth profile: SETTINGS_ROOT/.credentials.<profile>.json ([A-Za-z0-9._-]+)
          --apikey           use an Anthropic API key instead of a profile: from ANTHROPIC_API_KEY, else
                             from SETTINGS_ROOT/anthropic.key. A key after --apikey is refused (exit 2):
                             argv and shell history would keep it
          --apikey-file PATH use the API key in PATH (first line; the file must not be readable by
                             group or others: chmod 600)
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
        2 bad command line or API key (none found, key file unreadable, empty or readable by others). On success the process becomes claude and exits with claude's code.

        """;

    public static string UsageText => Usage;

    public static ClaudeOptions Parse(IReadOnlyList<string> args)
    {
        string? profile = null, apiKeyFile = null, resume = null, filter = null;
        bool apiKey = false, debug = false, remote = false, fast = false;
        var reader = new ArgReader(args);
        while (reader.Next())
        {
            if (reader.IsHelp)
            {
                return new ClaudeOptions(null, false, null, null, false, null, false, false, true);
            }

            if (reader.Is("--apikey"))
            {
                // The baseline's --apikey KEY: a value, given either way, is a key that must not be used
                // (nor echoed), since the command line already put it in argv and the shell's history.
                if (reader.Current != "--apikey" || reader.Peek is { Length: > 0 } next && next[0] != '-')
                {
                    throw ApiKeySource.KeyOnCommandLine();
                }

                apiKey = true;
            }
            else if (reader.Is("--apikey-file"))
            {
                apiKey = true;
                apiKeyFile = reader.Value("a path");
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

        return new ClaudeOptions(profile, apiKey, apiKeyFile, resume, debug, filter, remote, fast, false);
    }
}
