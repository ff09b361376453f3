using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Claude;

/// <summary><c>c [profile] [--apikey | --apikey-file PATH] [-r|--resume ID] [-d|--debug[=FILTER]] [--remote] [--fast] [-h]</c></summary>
/// <param name="ApiKey">True for <c>--apikey</c> or <c>--apikey-file</c>: the key itself never comes from argv (see <see cref="ApiKeySource"/>).</param>
internal sealed record ClaudeOptions(string? Profile, bool ApiKey, string? ApiKeyFile, string? Resume, bool Debug, string? DebugFilter, bool Remote, bool Fast)
    : ILaunchOptions<ClaudeOptions>
{
    private static readonly CliOption ApiKeyFlag = CliOption.Flag("--apikey", """
        use an Anthropic API key instead of a profile: from ANTHROPIC_API_KEY, else
        from SETTINGS_ROOT/anthropic.key. A key after --apikey is refused (exit 2):
        argv and shell history would keep it
        """);

    private static readonly CliOption ApiKeyFileOption = CliOption.WithValue("--apikey-file", "PATH", "a path", """
        use the API key in PATH (first line; the file must not be readable by
        group or others: chmod 600)
        """);

    private static readonly CliOption ResumeOption = CliOption.WithValue("--resume", "ID", "a session id",
        "resume the session whose id starts with ID (profile taken from that session)", "-r");

    private static readonly CliOption DebugOption = new("--debug", "-d", OptionValue.Optional, "pass --debug [F] to claude", "F", "a filter");

    private static readonly CliOption RemoteFlag = CliOption.Flag("--remote", "start with remote control on (also AI_REMOTE=1)");

    private static readonly CliOption FastFlag = CliOption.Flag("--fast", "start in fast mode (also AI_FAST=1)");

    public static CliCommand Line { get; } = new(
        "c [profile] [--apikey | --apikey-file PATH] [-r|--resume ID] [-d|--debug[=FILTER]] [--remote] [--fast]",
        """
        Waits for the sandbox's services, prepares a new Claude session home under HISTORY_ROOT (or
        reuses the resumed one), and replaces itself with claude --dangerously-skip-permissions.
        """,
        [new CliPositional("profile", "OAuth profile: SETTINGS_ROOT/.credentials.<profile>.json ([A-Za-z0-9._-]+)")],
        [ApiKeyFlag, ApiKeyFileOption, ResumeOption, DebugOption, RemoteFlag, FastFlag],
        """
        Environment: HISTORY_ROOT (/history), SETTINGS_ROOT (/settings), CLAUDE_SETTINGS_FILE
        (/claude/settings.json), CLAUDE_JSON_TEMPLATE (/claude/claude.json), PLUGIN_ROOT
        (/opt/claude-plugins/enabled), PLUGIN_BLOCKLIST (/opt/claude-plugins/blocklist), AI_READY_TIMEOUT
        (60 seconds), HOST_DIR, DBUS_SYSTEM_BUS_ADDRESS.

        Exit codes: 0 ok (--help), 1 failure (no session found, bad settings file, claude not found),
        2 bad command line or API key (none found, key file unreadable, empty or readable by others). On success the process becomes claude and exits with claude's code.
        """);

    /// <exception cref="UsageException">A bad line, or a key given on it (refused before anything can echo it).</exception>
    public static ClaudeOptions Parse(IReadOnlyList<string> args) => From(Line.Parse(Screen(args)));

    public static ClaudeOptions From(CliArgs args) => new(
        Names.OptionalProfile(args.Positional(0)),
        args.Has(ApiKeyFlag) || args.Has(ApiKeyFileOption),
        args.Value(ApiKeyFileOption),
        args.Value(ResumeOption),
        args.Has(DebugOption),
        args.Value(DebugOption),
        args.Has(RemoteFlag),
        args.Has(FastFlag));

    /// <summary>
    /// The baseline's <c>--apikey KEY</c>: a value, given either way, is a key that must not be used nor echoed
    /// (an "unexpected argument" line would print it), since the command line already put it in argv and the
    /// shell's history. Checked before the table reads the line; the values of the table's other options are skipped.
    /// </summary>
    public static IReadOnlyList<string> Screen(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            if (word is "-h" or "--help")
            {
                break;
            }

            if (word.StartsWith("--apikey=", StringComparison.Ordinal)
                || (word == "--apikey" && i + 1 < args.Count && args[i + 1] is { Length: > 0 } next && next[0] != '-'))
            {
                throw ApiKeySource.KeyOnCommandLine();
            }

            if (TakesNextWord(word))
            {
                i++;
            }
        }

        return args;
    }

    private static bool TakesNextWord(string word)
    {
        foreach (var option in Line.Options)
        {
            if (option.Value == OptionValue.Required && option.Names(word))
            {
                return true;
            }
        }

        return false;
    }
}
