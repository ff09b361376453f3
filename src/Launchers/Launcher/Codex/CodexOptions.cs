using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Codex;

/// <summary><c>cx [profile] [-p|--profile CONFIG] [-r|--resume ID]</c></summary>
internal sealed record CodexOptions(string? Profile, string? ConfigProfile, string? Resume) : ILaunchOptions<CodexOptions>
{
    private static readonly CliOption ConfigOption = CliOption.WithValue("--profile", "NAME", "a name",
        "Codex config profile: <settings>/codex[_<profile>]/<NAME>.config.toml", "-p");

    private static readonly CliOption ResumeOption = CliOption.WithValue("--resume", "ID", "a session id", "resume the Codex session whose id starts with ID", "-r");

    public static CliCommand Line { get; } = new(
        "cx [profile] [-p|--profile CONFIG] [-r|--resume ID]",
        """
        Waits for the sandbox's services, points ~/.codex at a session home under HISTORY_ROOT, installs
        the newest of the profile's auth.json and the session's own, runs codex, copies auth.json back
        when codex refreshed it and it is newer than the shared one (last_refresh), and exits with
        codex's code.
        """,
        [new CliPositional("profile", "auth profile: SETTINGS_ROOT/codex_<profile>/auth.json ([A-Za-z0-9._-]+)")],
        [ConfigOption, ResumeOption],
        """
        Environment: HISTORY_ROOT (/history), SETTINGS_ROOT (/settings), CODEX_PLUGIN_ROOT
        (/opt/codex-plugins), AI_READY_TIMEOUT (60 seconds), HOST_DIR, HOST_WORKDIR.

        Exit codes: codex's own code once it ran; 1 failure (missing auth, no session found), 2 bad
        command line, 0 for --help.
        """);

    public static CodexOptions Parse(IReadOnlyList<string> args) => From(Line.Parse(args));

    public static CodexOptions From(CliArgs args) => new(
        Names.OptionalProfile(args.Positional(0), "invalid codex profile"),
        Names.OptionalProfile(args.Value(ConfigOption), "invalid Codex config profile"),
        args.Value(ResumeOption));
}
