using System.Runtime.InteropServices;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Daemon;
using AiSandbox.TokenRefresher.Login;

namespace AiSandbox.TokenRefresher;

/// <summary>
/// The <c>refresh-tokens</c> command line: a first-word table of commands, each reading its own operands.
/// One-shot commands build no host: they start in milliseconds.
/// </summary>
internal static class RefreshTokensCommand
{
    private const string BothOperands = "a profile and a destination";

    private static readonly CliCommand OnceArgs = Operands("--once");

    private static readonly CliCommand DaemonArgs = Operands("--daemon");

    private static readonly CliCommand LoginArgs = Operands("--login", new CliPositional("profile", "the profile to log in"));

    private static readonly CliCommand ListActiveArgs = Operands("--list-active", new CliPositional("profile", "only this profile's copies"));

    private static readonly CliCommand FindActiveArgs = Operands("--find-active", new CliPositional("profile", "whose copy to find", Required: true));

    private static readonly CliCommand CopyActiveArgs = Operands(
        "--copy-active",
        new CliPositional("profile", "whose copy to copy", Required: true, Wants: BothOperands),
        new CliPositional("dest", "where to copy it", Required: true, Wants: BothOperands));

    public static readonly CliDispatch Commands = new(
        "refresh-tokens <command>",
        """
        Keeps Claude OAuth credential files (.credentials*.json) fresh. Each profile's copies form one
        chain; a chain is only ever read-decided-refreshed-written under its lock
        ($SETTINGS_DIR/.credentials.<profile>.json.lock), and a newer copy is adopted instead of refreshed.
        """,
        [
            new CliVerb("--once", "one pass over $CREDENTIALS_DIR/.credentials*.json", c => RunAsync(c, OnceArgs, OnceAsync)),
            new CliVerb("--daemon", "refresh forever (Type=notify under systemd; plain logfmt otherwise)", c => RunAsync(c, DaemonArgs, DaemonAsync)),
            new CliVerb("--login", "interactive OAuth login (PKCE); writes .credentials[.<profile>].json", c => RunAsync(c, LoginArgs, LoginAsync), "[profile]"),
            new CliVerb("--list-active", "PROFILE<TAB>EXPIRES<TAB>PATH of active (unexpired) history copies, freshest first",
                c => RunAsync(c, ListActiveArgs, HistoryCommands.ListActive), "[profile]"),
            new CliVerb("--find-active", "print the path of the freshest active history copy", c => RunAsync(c, FindActiveArgs, HistoryCommands.FindActive), "<profile>"),
            new CliVerb("--copy-active", "copy the freshest active history copy to dest (atomic, 0600)",
                c => RunAsync(c, CopyActiveArgs, HistoryCommands.CopyActiveAsync), "<profile> <dest>"),
            new CliVerb("--help", "show this help", c => Task.FromResult(Help(c)), "", "-h"),
        ],
        """
        A profile is 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit, without '..'. History
        search enters no symlinked directory and reads only regular files below HISTORY_DIR.

        Environment:
          CREDENTIALS_DIR   copies to keep fresh (default $HOME/.claude)
          SETTINGS_DIR      settings copies and chain locks (default /settings if it exists, else CREDENTIALS_DIR)
          HISTORY_DIR       session history searched by the *-active commands (default $HOME/ai/history)
          HISTORY_DAYS      only history copies modified within this many days (default 2)
          CHECK_INTERVAL    longest daemon sleep in seconds (default 300, at most 86400 for --daemon)
          REFRESH_BEFORE    refresh when fewer seconds than this remain (default 3600); a token whose
                            issued lifetime is not longer than this is refreshed at half its lifetime
                            instead (an answer without a positive expires_in counts as 3600 s), and --daemon
                            refreshes one chain at most once a minute
          WATCHDOG_USEC     set by systemd (WatchdogSec=); at least one second for --daemon
          CLAUDE_OAUTH_TOKEN_URL, CLAUDE_OAUTH_AUTHORIZE_URL   endpoints (default: Claude's)
          OAUTH_HTTP_TIMEOUT (15 s), OAUTH_HTTP_RETRIES (2), CHAIN_LOCK_TIMEOUT (60 s)

        Exit codes:
          0  ok (--once: every chain valid or refreshed; --find/--copy-active: found and copied;
             --daemon: stopped by SIGTERM/SIGINT)
          1  failure (--once: some chain could not be refreshed; login failed; nothing active found;
             --daemon: its loop failed and it cannot go on, so Restart=on-failure restarts it)
          2  bad command line or environment (--daemon: checked before the first cycle)
        """);

    public static Task<int> RunAsync(CommandContext context) => Commands.RunAsync(context);

    /// <summary>A command's operands alone; the usage shown for any of them is the whole table's.</summary>
    private static CliCommand Operands(string command, params CliPositional[] positionals) =>
        new("refresh-tokens " + command, string.Empty, positionals, [], string.Empty) { Name = command };

    private static Task<int> RunAsync(CommandContext context, CliCommand operands, Func<CommandContext, CliArgs, int> run) =>
        RunAsync(context, operands, (c, args) => Task.FromResult(run(c, args)));

    private static async Task<int> RunAsync(CommandContext context, CliCommand operands, Func<CommandContext, CliArgs, Task<int>> run)
    {
        try
        {
            var args = operands.Parse(context.Args);
            return args.Help ? Help(context) : await run(context, args).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return e.Report(context.Stderr, Commands.Usage);
        }
        catch (OptionsException e)
        {
            context.Stderr.WriteLine(Logfmt.Format("fatal", null, e.Message, [LogField.Quoted("variable", e.Variable), LogField.Quoted("value", e.Value)]));
            return ExitCodes.Usage;
        }
    }

    private static int Help(CommandContext context)
    {
        context.Stdout.Write(Commands.Usage);
        return ExitCodes.Ok;
    }

    internal static string Profile(string value) =>
        Chain.IsValidProfile(value) ? value : throw new UsageException("invalid profile", ExitCodes.Usage, LogField.Quoted("profile", value));

    internal static LogfmtLog StdoutLog(CommandContext context) =>
        new(context.Stdout, context.Time, JournalDetection.StdoutIsJournal(context.Environment));

    internal static LogfmtLog StderrLog(CommandContext context) => new(context.Stderr, context.Time);

    private static async Task<int> OnceAsync(CommandContext context, CliArgs _)
    {
        var options = RefresherOptions.FromEnvironment(context.Environment);
        var log = StdoutLog(context);
        using var chains = new TokenChains(options, new LogfmtLogger(log), context.Time);

        // SIGTERM/SIGINT (podman stop, x) end the pass before the next chain, never a refresh that was sent:
        // the server may already have rotated the token, so its answer is waited for and written first.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                log.Info("stopping", ("signal", signal.Signal.ToString()));
                stop.Cancel();
            }
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        var report = await chains.RunCycleAsync(stop.Token).ConfigureAwait(false);
        return report.AnyFailure ? ExitCodes.Failure : ExitCodes.Ok;
    }

    private static Task<int> DaemonAsync(CommandContext context, CliArgs _)
    {
        var options = RefresherOptions.FromEnvironment(context.Environment);
        DaemonOptions.Check(options, context.Environment);
        return DaemonHost.RunAsync(options, context.Environment, context.Cancellation);
    }

    private static async Task<int> LoginAsync(CommandContext context, CliArgs args)
    {
        var profile = args.Positional(0) is { } name ? Profile(name) : null;
        var options = RefresherOptions.FromEnvironment(context.Environment);
        var result = await ClaudeLogin.RunAsync(new ClaudeLoginRequest(options, profile), context.Stdin, context.Stdout, context.Time,
            cancellationToken: context.Cancellation).ConfigureAwait(false);
        return result.ExitCode;
    }
}
