using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Cli;
using AiSandbox.Launchers.Exec;
using AiSandbox.Launchers.History;
using AiSandbox.Launchers.SessionConfig;

namespace AiSandbox.Launchers.Gemini;

/// <summary><c>g [profile]</c>: a Gemini session home with the profile's state files, then execve into <c>gemini --yolo</c>.</summary>
internal static class GeminiCommand
{
    public static readonly IReadOnlyList<string> StateFiles = ["google_accounts.json", "installation_id", "oauth_creds.json", "settings.json", "state.json"];

    public static CliCommand Line { get; } = new(
        "g [profile]",
        """
        Points ~/.gemini at a new session home under HISTORY_ROOT, copies the profile's Gemini state
        (SETTINGS_ROOT/gemini[_<profile>]: google_accounts.json, installation_id, oauth_creds.json,
        settings.json, state.json) and SETTINGS_ROOT/AGENTS.md as GEMINI.md when present, then replaces
        itself with gemini --yolo.
        """,
        [new CliPositional("profile", "state profile: SETTINGS_ROOT/gemini_<profile> ([A-Za-z0-9._-]+)")],
        [],
        """
        Environment: HISTORY_ROOT (/history), SETTINGS_ROOT (/settings).

        Exit codes: 0 --help, 1 failure (settings directory missing), 2 bad command line; otherwise the
        process becomes gemini.
        """);

    public static Task<int> RunAsync(LauncherHost host)
    {
        if (!Line.TryRead(host.Context.Args, host.Stdout, host.Stderr, args => Names.OptionalProfile(args.Positional(0)), out var profile, out var exit))
        {
            return Task.FromResult(exit);
        }

        var home = host.Env("HOME");
        if (home is null)
        {
            return Task.FromResult(host.Fail("HOME is not set"));
        }

        var settings = Path.Combine(host.SettingsRoot, profile is null ? "gemini" : "gemini_" + profile);
        if (!Directory.Exists(settings))
        {
            host.Stderr.WriteLine(Logfmt.Format("fatal", null, "gemini settings directory not found", [("path", settings)]));
            host.Stderr.WriteLine($"  Authenticate gemini once, then copy ~/.gemini/{{{string.Join(',', StateFiles)}}} to {settings}/");
            return Task.FromResult(ExitCodes.Failure);
        }

        try
        {
            var session = SessionHome.CreateNew(host.HistoryRoot, host.Time.GetUtcNow(), "gemini");
            HomeLink.Point(Path.Combine(home, ".gemini"), session, host.Time.GetUtcNow(), host.Log);
            foreach (var file in StateFiles)
            {
                if (!SessionFiles.CopyIfExists(Path.Combine(settings, file), Path.Combine(session, file)))
                {
                    host.Log.Warn("gemini state file missing", ("path", Path.Combine(settings, file)));
                }
            }

            SessionFiles.CopyIfExists(Path.Combine(host.SettingsRoot, "AGENTS.md"), Path.Combine(session, "GEMINI.md"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(host.Fail("cannot prepare the Gemini home", LogField.Quoted("error", e.Message)));
        }

        return Task.FromResult(host.Runner.Exec(new AgentCommand("gemini", ["--yolo"], host.AgentEnvironment([])), host.Stderr));
    }
}
