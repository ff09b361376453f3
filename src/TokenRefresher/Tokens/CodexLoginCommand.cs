using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Codex;
using AiSandbox.TokenRefresher.OAuth;

namespace AiSandbox.TokenRefresher;

/// <summary>The <c>codex-login</c> command line (device-code flow, baseline 7).</summary>
public static class CodexLoginCommand
{
    private static readonly CliOption Login = CliOption.Flag("--login", "sign in (the default)");

    private static readonly CliOption Status = CliOption.Flag("--status", "say whether the profile is logged in");

    private static readonly CliCommand Command = new(
        "codex-login [profile] [--login|--status|--help]",
        """
        Signs in to Codex with a device code and saves auth.json (0600, written atomically) for the profile,
        under the lock auth.json.lock that cx takes to give a session's refreshed copy back.

        Target directory: CODEX_SETTINGS_DIR, else CODEX_HOME, else /settings/codex[_<profile>] when
        /settings exists (inside the sandbox), else $AI_DIR/settings/codex[_<profile>] (AI_DIR: ~/ai).
        """,
        [new CliPositional("profile", "the profile to sign in or check (codex_<profile>)")],
        [Login, Status],
        """
        Environment:
          CODEX_ISSUER      default https://auth.openai.com
          CODEX_CLIENT_ID   default app_EMoamEEZ73f0CkXaXp7hrann
          CODEX_MAX_WAIT    seconds to wait for the approval (default 900)

        Exit codes: 0 ok, 1 failure or not logged in, 2 bad command line.
        """);

    public static async Task<int> RunAsync(CommandContext context)
    {
        try
        {
            var args = Command.Parse(context.Args);
            if (args.Help)
            {
                context.Stdout.Write(Command.Usage);
                return ExitCodes.Ok;
            }

            // The table keeps the last of repeated flags; a second mode stays refused, by name.
            if (context.Args.Where(a => a == Login.Name || a == Status.Name).Skip(1).FirstOrDefault() is { } second)
            {
                throw UsageException.UnexpectedArgument(second);
            }

            var profile = args.Positional(0) is not { } name ? null
                : Chain.IsValidProfile(name) ? name
                : throw new UsageException("invalid codex profile", ExitCodes.Usage, LogField.Quoted("profile", name));

            var dir = TargetDir(context, profile);
            if (args.Has(Status))
            {
                var (loggedIn, message) = CodexAuthFile.Status(dir);
                context.Stdout.WriteLine(message);
                return loggedIn ? ExitCodes.Ok : ExitCodes.Failure;
            }

            var options = Options(context);
            // Only the HTTP defaults matter here (timeout, retries); the refresher's directories do not.
            var http = new RefresherOptions { CredentialsDir = dir, SettingsDir = dir, HistoryDir = dir };
            using var clients = OAuthHttp.CreateFactory(http);
            var login = new CodexDeviceLogin(clients, options, context.Time, context.Stdout, context.Stderr);
            return await login.RunAsync(dir, context.Cancellation).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return e.Report(context.Stderr, Command.Usage);
        }
        catch (OptionsException e)
        {
            context.Stderr.WriteLine(Logfmt.Format("fatal", null, e.Message, [LogField.Quoted("variable", e.Variable), LogField.Quoted("value", e.Value)]));
            return ExitCodes.Usage;
        }
    }

    /// <summary>Where auth.json goes (baseline 7).</summary>
    internal static string TargetDir(CommandContext context, string? profile)
    {
        if (context.Env("CODEX_SETTINGS_DIR") is { Length: > 0 } settings)
        {
            return settings;
        }

        if (context.Env("CODEX_HOME") is { Length: > 0 } home)
        {
            return home;
        }

        var name = profile is null ? "codex" : "codex_" + profile;
        if (Directory.Exists("/settings"))
        {
            return Path.Combine("/settings", name);
        }

        var aiDir = context.Env("AI_DIR") is { Length: > 0 } ai ? ai : Path.Combine(context.Env("HOME") ?? "/", "ai");
        return Path.Combine(aiDir, "settings", name);
    }

    private static CodexLoginOptions Options(CommandContext context)
    {
        var issuerRaw = context.EnvOr("CODEX_ISSUER", CodexLoginOptions.DefaultIssuer);
        if (!Uri.TryCreate(issuerRaw, UriKind.Absolute, out var issuer) || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp))
        {
            throw new OptionsException("CODEX_ISSUER must be an http(s) URL", "CODEX_ISSUER", issuerRaw);
        }

        var waitRaw = context.EnvOr("CODEX_MAX_WAIT", "900");
        if (!long.TryParse(waitRaw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var wait) || wait < 1)
        {
            throw new OptionsException("CODEX_MAX_WAIT must be a positive integer", "CODEX_MAX_WAIT", waitRaw);
        }

        return new CodexLoginOptions(issuer, context.EnvOr("CODEX_CLIENT_ID", CodexLoginOptions.DefaultClientId), TimeSpan.FromSeconds(wait));
    }
}
