using AiSandbox.Common.Cli;
using AiSandbox.Common.IO;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Exec;
using AiSandbox.Launchers.History;
using AiSandbox.Launchers.Readiness;
using AiSandbox.Launchers.SessionConfig;
using AiSandbox.TokenRefresher.Codex;

namespace AiSandbox.Launchers.Codex;

/// <summary>
/// <c>cx</c>: Codex refreshes its own tokens into <c>~/.codex/auth.json</c>, so codex runs as a child: the
/// session starts from the newest copy and, when codex exits, a refreshed copy goes back to the shared
/// settings copy only if it is newer than what the shared copy holds by then (another session may have
/// refreshed meanwhile), all under the chain lock <c>codex-login</c> takes too.
/// </summary>
internal static class CodexCommand
{
    public static readonly TimeSpan SyncLockTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(LauncherHost host)
    {
        var begun = Cli.LaunchPrologue.Begin<CodexOptions>(host);
        if (begun.Exit is { } exit)
        {
            return exit;
        }

        var (options, home) = (begun.Options!, begun.Home);

        var profile = options.Profile;
        var configProfile = options.ConfigProfile;
        FoundSession? resumed = null;
        if (options.Resume is { } id)
        {
            resumed = SessionSearch.FindCodex(host.HistoryRoot, id);
            if (resumed is null)
            {
                return host.Fail("no codex session matching resume id", LogField.Quoted("resume", id), ("history", host.HistoryRoot));
            }

            if (profile is null && SessionFiles.ReadFirstLine(Path.Combine(resumed.Home, ".profile")) is { } p && Cli.Names.IsValidProfile(p))
            {
                profile = p;
            }

            if (configProfile is null && SessionFiles.ReadFirstLine(Path.Combine(resumed.Home, ".config_profile")) is { } cp && Cli.Names.IsValidProfile(cp))
            {
                configProfile = cp;
            }
        }

        var shared = Path.Combine(host.SettingsRoot, profile is null ? "codex" : "codex_" + profile);
        var sharedAuth = Path.Combine(shared, "auth.json");
        if (!File.Exists(sharedAuth))
        {
            host.Stdout.WriteLine(Logfmt.Format("error", null, "codex auth file not found", [("path", sharedAuth)]));
            host.Stdout.WriteLine();
            host.Stdout.WriteLine($"  First time? Run codex-login{(profile is null ? string.Empty : " " + profile)} to Sign in with Device Code.");
            host.Stdout.WriteLine();
            return ExitCodes.Failure;
        }

        if (configProfile is null && File.Exists(Path.Combine(shared, "default.config.toml")))
        {
            configProfile = "default";
        }

        var configProfileFile = configProfile is null ? null : Path.Combine(shared, configProfile + ".config.toml");
        if (configProfileFile is not null && !File.Exists(configProfileFile))
        {
            return host.Fail("codex config profile not found", LogField.Quoted("path", configProfileFile));
        }

        TimeSpan readyTimeout;
        try
        {
            readyTimeout = ReadinessGate.ParseTimeout(host.Env(ReadinessGate.TimeoutVariable));
        }
        catch (FormatException e)
        {
            return host.Fail("invalid readiness timeout", (ReadinessGate.TimeoutVariable, e.Message));
        }

        await ReadinessGate.WaitAsync(host.Readiness(host), readyTimeout, new ReadinessDisplay(host.Stderr, host.Terminal, host.Log, host.Time), host.Log, host.Context.Cancellation)
            .ConfigureAwait(false);

        var cwd = host.Env("PWD") is { } pwd && Directory.Exists(pwd) ? pwd : Directory.GetCurrentDirectory();
        string session;
        byte[]? launchHash;
        HostNamedCwd? hostCwd = null;
        try
        {
            session = resumed?.Home ?? SessionHome.CreateNew(host.HistoryRoot, host.Time.GetUtcNow(), "codex");
            HomeLink.Point(Path.Combine(home, ".codex"), session, host.Time.GetUtcNow(), host.Log);
            // The profile first: whoever finds the credentials in this home must find whose chain they are.
            if (profile is null)
            {
                SessionFiles.DeleteIfExists(Path.Combine(session, ".profile"));
            }
            else
            {
                SessionFiles.WriteLine(Path.Combine(session, ".profile"), profile);
            }

            launchHash = await CodexSharedAuth.PrepareSessionAsync(sharedAuth, Path.Combine(session, "auth.json"), SyncLockTimeout, host.Time,
                host.Context.Cancellation).ConfigureAwait(false);

            if (configProfile is not null)
            {
                SessionFiles.CopyIfExists(configProfileFile!, Path.Combine(session, configProfile + ".config.toml"));
                SessionFiles.WriteLine(Path.Combine(session, ".config_profile"), configProfile);
            }
            else
            {
                SessionFiles.DeleteIfExists(Path.Combine(session, ".config_profile"));
            }

            SessionFiles.CopyIfExists(Path.Combine(host.SettingsRoot, "AGENTS.md"), Path.Combine(session, "AGENTS.md"));
            hostCwd = HostNamedCwd.Create(host, cwd, home, profile);
            CodexSessionConfig.Write(session, [cwd, hostCwd.Cwd, hostCwd.StatusCwd], host.EnvOr("CODEX_PLUGIN_ROOT", "/opt/codex-plugins"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            hostCwd?.Dispose();
            return host.Fail("cannot prepare the Codex home", LogField.Quoted("error", e.Message));
        }

        var args = new List<string>();
        if (configProfile is not null)
        {
            args.Add("--profile");
            args.Add(configProfile);
        }

        args.AddRange(["--cd", hostCwd.StatusCwd, "--dangerously-bypass-approvals-and-sandbox", "--search"]);
        if (resumed is not null)
        {
            args.Add("resume");
            args.Add(resumed.Id);
        }

        int code;
        try
        {
            code = await host.Runner.RunAsync(new AgentCommand("codex", args, host.AgentEnvironment([]), hostCwd.StatusCwd), host.Stderr, CancellationToken.None)
                .ConfigureAwait(false);
        }
        finally
        {
            await SyncAuthBackAsync(host, Path.Combine(session, "auth.json"), sharedAuth, launchHash).ConfigureAwait(false);
            hostCwd.Dispose();
        }

        return code;
    }

    /// <summary>
    /// Gives this session's auth.json back to the shared copy when codex refreshed it and it is the newest
    /// (see <see cref="CodexSharedAuth.SyncBackAsync"/>); a failure is one warning, never the exit code.
    /// </summary>
    internal static async Task SyncAuthBackAsync(LauncherHost host, string sessionAuth, string sharedAuth, byte[]? launchHash)
    {
        try
        {
            var result = await CodexSharedAuth.SyncBackAsync(sessionAuth, sharedAuth, launchHash, SyncLockTimeout, host.Time).ConfigureAwait(false);
            if (result == CodexSyncResult.SharedNewer)
            {
                host.Log.Info("kept the newer shared codex auth", ("path", sharedAuth));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            host.Log.Warn("failed to sync codex auth back to settings", ("path", sharedAuth), LogField.Quoted("error", e.Message));
        }
    }
}
