using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Credentials;
using AiSandbox.Launchers.Exec;
using AiSandbox.Launchers.History;
using AiSandbox.Launchers.Readiness;
using AiSandbox.Launchers.SessionConfig;

namespace AiSandbox.Launchers.Claude;

/// <summary>
/// <c>c</c>: everything that can fail on bad input (options, resume lookup, JSON files) is checked before
/// the first write, so a mistake leaves no empty history directory behind; then the readiness wait, the
/// session home, and execve into claude.
/// </summary>
internal static class ClaudeCommand
{
    public static async Task<int> RunAsync(LauncherHost host)
    {
        var trace = LaunchTrace.From(host);
        var begun = Cli.LaunchPrologue.Begin<ClaudeOptions>(host);
        if (begun.Exit is { } exit)
        {
            return exit;
        }

        var (options, home) = (begun.Options!, begun.Home);

        var profile = options.Profile;
        FoundSession? resumed = null;
        if (options.Resume is { } id)
        {
            resumed = SessionSearch.FindClaude(host.HistoryRoot, id);
            if (resumed is null)
            {
                return host.Fail("no session matching resume id", LogField.Quoted("resume", id), ("history", host.HistoryRoot));
            }

            if (profile is null && !options.ApiKey && SessionFiles.ReadFirstLine(Path.Combine(resumed.Home, ".profile")) is { } saved)
            {
                if (saved == "apikey")
                {
                    return host.Fail("session was launched with --apikey; pass --apikey (key from ANTHROPIC_API_KEY or SETTINGS_ROOT/anthropic.key) or --apikey-file PATH to resume it",
                        LogField.Quoted("resume", resumed.Id));
                }

                if (!Cli.Names.IsValidProfile(saved))
                {
                    host.Log.Fatal("invalid profile in session", ("file", Path.Combine(resumed.Home, ".profile")));
                    return ExitCodes.Usage;
                }

                profile = saved;
            }
        }

        if (profile is null && !options.ApiKey)
        {
            return new UsageException("a profile or --apikey is required").Report(host.Stderr, ClaudeOptions.Line.Usage);
        }

        string? apiKey = null;
        if (options.ApiKey)
        {
            try
            {
                apiKey = ApiKeySource.Resolve(options.ApiKeyFile, host.Env, host.SettingsRoot);
            }
            catch (UsageException e)
            {
                return e.Report(host.Stderr, string.Empty);
            }
        }

        var settingsRoot = host.SettingsRoot;
        var settingsTemplate = host.EnvOr("CLAUDE_SETTINGS_FILE", "/claude/settings.json");
        var sources = new ClaudeConfigSources(
            ClaudeJsonTemplate: host.EnvOr("CLAUDE_JSON_TEMPLATE", "/claude/claude.json"),
            SettingsTemplate: settingsTemplate,
            ProfileSettings: Path.Combine(settingsRoot, profile is null ? "claude" : "claude_" + profile, "settings.json"),
            BlocklistFiles: [
                host.EnvOr("PLUGIN_BLOCKLIST", "/opt/claude-plugins/blocklist"),
                Path.Combine(Path.GetDirectoryName(settingsTemplate) ?? "/claude", "plugins.blocklist"),
                Path.Combine(settingsRoot, "plugins.blocklist"),
            ],
            PluginRoot: host.EnvOr("PLUGIN_ROOT", "/opt/claude-plugins/enabled"),
            SentryTokenFile: Path.Combine(settingsRoot, "sentry.token"),
            SentryHostFile: Path.Combine(settingsRoot, "sentry.host"),
            AppDir: host.EnvOr("APP_DIR", "/app"));

        ClaudeSessionConfig config;
        TimeSpan readyTimeout;
        try
        {
            config = ClaudeSessionConfig.Load(sources);
            readyTimeout = ReadinessGate.ParseTimeout(host.Env(ReadinessGate.TimeoutVariable));
        }
        catch (SessionConfigException e)
        {
            return host.Fail(e.Message, ("path", e.Path), LogField.Quoted("reason", e.Reason));
        }
        catch (FormatException e)
        {
            return host.Fail("invalid readiness timeout", (ReadinessGate.TimeoutVariable, e.Message));
        }

        trace.Mark("config");
        // The wait and the session's files overlap; only the credentials wait for it, so the copy takes the
        // chain's newest tokens at the last moment before the agent starts.
        var ready = Task.Run(() => ReadinessGate.WaitAsync(host.Readiness(host), readyTimeout,
            new ReadinessDisplay(host.Stderr, host.Terminal, host.Log, host.Time), host.Log, host.Context.Cancellation));
        string session;
        try
        {
            session = resumed?.Home ?? SessionHome.CreateNew(host.HistoryRoot, host.Time.GetUtcNow(), "claude");
            WriteFiles(host, options, session, resumed is not null, config, home);
            trace.Mark("home");
            await ready.ConfigureAwait(false);
            trace.Mark("readiness");
            await CopyCredentialsAsync(host, profile, session).ConfigureAwait(false);
            // Only now does ~/.claude move to the new session: pointed earlier, it named a directory without
            // credentials while the readiness wait ran, and a session already running in this sandbox (same
            // HOME) found its copy gone, which Claude Code takes for a logout.
            HomeLink.Point(Path.Combine(home, ".claude"), session, host.Time.GetUtcNow(), host.Log);
            trace.Mark("credentials");
        }
        catch (SessionConfigException e)
        {
            return host.Fail(e.Message, ("path", e.Path), LogField.Quoted("reason", e.Reason));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            return host.Fail("cannot prepare the Claude session home", LogField.Quoted("error", e.Message));
        }

        var args = new List<string> { "--dangerously-skip-permissions" };
        if (resumed is not null)
        {
            args.Add("--resume");
            args.Add(resumed.Id);
        }

        if (options.Debug)
        {
            args.Add("--debug");
            if (options.DebugFilter is { } filter)
            {
                args.Add(filter);
            }
        }

        var hostDir = host.Env("HOST_DIR");
        var env = host.AgentEnvironment([
            // Without --apikey a key in our environment would win over the profile's login in claude: dropped.
            new(ApiKeySource.Variable, apiKey),
            new("CLAUDE_REMOTE_CONTROL_SESSION_NAME_PREFIX", hostDir ?? host.Env("CLAUDE_REMOTE_CONTROL_SESSION_NAME_PREFIX")),
            new("CLAUDE_CODE_SKIP_FAST_MODE_ORG_CHECK", Fast(host, options) ? "1" : host.Env("CLAUDE_CODE_SKIP_FAST_MODE_ORG_CHECK")),
            new("DISABLE_AUTOUPDATER", "1"),
        ]);
        trace.Report();
        return host.Runner.Exec(new AgentCommand("claude", args, env), host.Stderr);
    }

    private static bool Fast(LauncherHost host, ClaudeOptions options) => options.Fast || host.EnvFlag("AI_FAST");

    private static void WriteFiles(LauncherHost host, ClaudeOptions options, string session, bool resuming, ClaudeSessionConfig config, string home)
    {
        if (!resuming && host.Env("HOST_DIR") is { } hostDir)
        {
            SessionFiles.WriteLine(Path.Combine(session, ".session_name"), hostDir);
        }

        SessionFiles.DeleteIfExists(Path.Combine(home, ".claude.json"));
        SessionFiles.DeleteIfExists(Path.Combine(home, ".claude.json.backup"));
        SessionFiles.CopyIfExists(Path.Combine(host.SettingsRoot, "AGENTS.md"), Path.Combine(session, "CLAUDE.md"));
        ClaudePlugins.LinkSkills(host.EnvOr("PLUGIN_ROOT", "/opt/claude-plugins/enabled"), session);

        if (config.WriteClaudeJson(session, keepExisting: resuming) is { } claudeJson)
        {
            ClaudePlugins.ReplaceSymlink(Path.Combine(home, ".claude.json"), claudeJson);
        }

        config.WriteSettings(session, new ClaudeSettingsSwitches(options.Remote || host.EnvFlag("AI_REMOTE"), Fast(host, options)), host.Log);
    }

    /// <summary>
    /// <c>.profile</c> first, then the chain's newest copy: a refresh-tokens cycle that finds the copy in
    /// between must see whose chain it is and take that chain's lock, not one of the session's own.
    /// </summary>
    private static async Task CopyCredentialsAsync(LauncherHost host, string? profile, string session)
    {
        SessionFiles.WriteLine(Path.Combine(session, ".profile"), profile ?? "apikey");
        if (profile is not null)
        {
            var chain = new ChainLocation(host.SettingsRoot, host.HistoryRoot, profile, host.EnvOr("HISTORY_DAYS", "2"));
            var copied = await ClaudeChain.CopyNewestAsync(chain, Path.Combine(session, ".credentials.json"), ChainPreference.Newest,
                host.Time, host.Context.Cancellation).ConfigureAwait(false);
            if (copied is null)
            {
                host.Log.Warn("no credentials for profile, claude will ask to log in", ("profile", profile), ("path", chain.SettingsFile));
            }
        }
    }
}
