using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Cli;

namespace AiSandbox.Launchers.Copilot;

/// <summary><c>co [profile] [-r|--resume ID]</c></summary>
internal sealed record CopilotOptions(string? Profile, string? Resume) : ILaunchOptions<CopilotOptions>
{
    private static readonly CliOption ResumeOption = CliOption.WithValue("--resume", "ID", "a session id",
        "resume the Copilot session with this id (or id prefix, or name)", "-r");

    public static CliCommand Line { get; } = new(
        "co [profile] [-r|--resume ID]",
        """
        Waits for the sandbox's services, then replaces itself with GitHub Copilot's CLI with every
        permission prompt off (copilot --allow-all --no-auto-update, COPILOT_ALLOW_ALL=true, which also
        trusts the working directory). Copilot keeps its state (login, sessions, settings) in
        COPILOT_HOME=SETTINGS_ROOT/copilot[_<profile>], created 0700 when missing, so a login made in one
        sandbox (/login in copilot) is there in the next.
        """,
        [new CliPositional("profile", "state profile: SETTINGS_ROOT/copilot_<profile> ([A-Za-z0-9._-]+)")],
        [ResumeOption],
        """
        Environment: SETTINGS_ROOT (/settings), AI_READY_TIMEOUT (60 seconds).

        Exit codes: 0 --help, 1 failure (state directory not usable), 2 bad command line; otherwise the
        process becomes copilot.
        """);

    public static CopilotOptions Parse(IReadOnlyList<string> args) => From(Line.Parse(args));

    public static CopilotOptions From(CliArgs args) => new(
        Names.OptionalProfile(args.Positional(0), "invalid copilot profile"),
        args.Value(ResumeOption));
}
