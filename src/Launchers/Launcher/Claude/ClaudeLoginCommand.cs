using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Cli;
using AiSandbox.Launchers.Credentials;
using AiSandbox.Launchers.SessionConfig;

namespace AiSandbox.Launchers.Claude;

/// <summary>
/// <c>claude-login [profile]</c> (alias <c>l</c>): puts working credentials into this session's
/// <c>~/.claude/.credentials.json</c>: the freshest valid copy another session holds, else the settings file.
/// </summary>
internal static class ClaudeLoginCommand
{
    /// <summary>The profile: whose chain to copy from; by default the one this session was started with.</summary>
    public static CliCommand Line { get; } = new(
        "claude-login [profile]      (alias: l)",
        """
        Refreshes ~/.claude/.credentials.json of the running Claude session: from the newest unexpired
        copy of the profile's chain in a recent session under HISTORY_ROOT, else from
        SETTINGS_ROOT/.credentials.<profile>.json. The profile defaults to ~/.claude/.profile.
        """,
        [new CliPositional("profile", "OAuth profile ([A-Za-z0-9._-]+)")],
        [],
        """
        Environment: HISTORY_ROOT (/history), SETTINGS_ROOT (/settings).

        Exit codes: 0 refreshed, 1 no OAuth profile or no credentials found, 2 bad command line.
        """);

    public static async Task<int> RunAsync(LauncherHost host)
    {
        if (!Line.TryRead(host.Context.Args, host.Stdout, host.Stderr, args => Names.OptionalProfile(args.Positional(0)), out var profile, out var exit))
        {
            return exit;
        }

        var home = host.Env("HOME");
        if (home is null)
        {
            return host.Fail("HOME is not set");
        }

        var claudeHome = Path.Combine(home, ".claude");
        profile ??= SessionFiles.ReadFirstLine(Path.Combine(claudeHome, ".profile"));
        if (profile is null or "apikey")
        {
            host.Log.Error("no oauth profile to login with");
            return ExitCodes.Failure;
        }

        if (!Names.IsValidProfile(profile))
        {
            host.Log.Fatal("invalid profile", LogField.Quoted("profile", profile));
            return ExitCodes.Usage;
        }

        if (!Directory.Exists(claudeHome))
        {
            return host.Fail("no Claude session home", ("path", claudeHome));
        }

        var chain = new ChainLocation(host.SettingsRoot, host.HistoryRoot, profile, host.EnvOr("HISTORY_DAYS", "2"));
        string? source;
        try
        {
            source = await ClaudeChain.CopyNewestAsync(chain, Path.Combine(claudeHome, ".credentials.json"), ChainPreference.HistoryFirst, host.Time, host.Context.Cancellation)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            return host.Fail("cannot copy credentials", LogField.Quoted("error", e.Message));
        }

        if (source is null)
        {
            host.Log.Error("credentials file not found", ("path", chain.SettingsFile));
            return ExitCodes.Failure;
        }

        var destination = Path.GetFullPath(Path.Combine(claudeHome, ".credentials.json"));
        host.Stdout.WriteLine(source == chain.SettingsFile ? $"Login refreshed (profile: {profile})"
            : source == destination ? $"Login kept: this session holds the newest copy (profile: {profile})"
            : $"Login refreshed from history (profile: {profile})");
        return ExitCodes.Ok;
    }
}
