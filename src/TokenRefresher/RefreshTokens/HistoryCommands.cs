using AiSandbox.Common.Cli;
using AiSandbox.Common.IO;
using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using static AiSandbox.TokenRefresher.RefreshTokensCommand;

namespace AiSandbox.TokenRefresher;

/// <summary>
/// <c>refresh-tokens --list-active</c>, <c>--find-active</c> and <c>--copy-active</c>: the credentials still
/// valid in session history. Their errors go to stderr, so stdout stays the answer.
/// </summary>
internal static class HistoryCommands
{
    public static int ListActive(CommandContext context, CliArgs args)
    {
        var profile = args.Positional(0) is { } name ? Profile(name) : null;
        var options = RefresherOptions.FromEnvironment(context.Environment);
        var search = new HistorySearch(options, context.Time);
        IReadOnlyList<ActiveCopy> found;
        try
        {
            found = search.Find(profile);
        }
        catch (HistoryWindowException e)
        {
            StderrLog(context).Error(e.Message, ("days", e.Value));
            return ExitCodes.Failure;
        }

        ReportUnreadable(context, search);
        context.Stdout.WriteLine("PROFILE\tEXPIRES\tPATH");
        foreach (var copy in found)
        {
            context.Stdout.WriteLine($"{copy.Profile}\t{ExpiryText.Human(copy.ExpiresAt)}\t{copy.Path}");
        }

        using var chains = new TokenChains(options, new LogfmtLogger(StderrLog(context)), context.Time);
        foreach (var p in chains.ProfilesNeedingLogin().Where(p => profile is null || p == profile))
        {
            StderrLog(context).Warn("login needed", ("profile", p), ("hint", $"run refresh-tokens --login {p}"));
        }

        return ExitCodes.Ok;
    }

    public static int FindActive(CommandContext context, CliArgs args)
    {
        var profile = Profile(args.Positionals[0]);
        var search = new HistorySearch(RefresherOptions.FromEnvironment(context.Environment), context.Time);
        try
        {
            var found = search.Find(profile);
            ReportUnreadable(context, search);
            if (found.Count == 0)
            {
                return ExitCodes.Failure;
            }

            context.Stdout.WriteLine(found[0].Path);
            return ExitCodes.Ok;
        }
        catch (HistoryWindowException e)
        {
            StderrLog(context).Error(e.Message, ("days", e.Value));
            return ExitCodes.Failure;
        }
    }

    public static async Task<int> CopyActiveAsync(CommandContext context, CliArgs args)
    {
        var profile = Profile(args.Positionals[0]);
        var destination = args.Positionals[1];
        var options = RefresherOptions.FromEnvironment(context.Environment);
        var log = StdoutLog(context);
        var errors = StderrLog(context);
        using var chains = new TokenChains(options, new LogfmtLogger(log), context.Time);
        CopyResult result;
        try
        {
            result = await chains.CopyNewestAsync(profile, destination, includeSettingsCopy: false, cancellationToken: context.Cancellation).ConfigureAwait(false);
        }
        catch (HistoryWindowException e)
        {
            errors.Error(e.Message, ("days", e.Value));
            errors.Error("no active credentials found", LogField.Quoted("profile", profile), LogField.Quoted("dir", options.HistoryDir));
            return ExitCodes.Failure;
        }
        catch (SymlinkRefusedException e)
        {
            errors.Error("refusing to write through a symbolic link", LogField.Quoted("destination", e.Path));
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            errors.Error("copy failed", LogField.Quoted("destination", destination), ("error", e.Message));
            return ExitCodes.Failure;
        }

        switch (result.Status)
        {
            case CopyStatus.Copied:
                log.Info("copied active credentials", LogField.Quoted("profile", profile), LogField.Quoted("source", result.Source!.Path),
                    LogField.Quoted("destination", result.Destination));
                return ExitCodes.Ok;
            case CopyStatus.DestinationNewer:
                log.Info("destination already newer, left as is", LogField.Quoted("profile", profile), LogField.Quoted("destination", result.Destination));
                return ExitCodes.Ok;
            case CopyStatus.DestinationDirectoryMissing:
                errors.Error("destination directory not found", LogField.Quoted("dir", Path.GetDirectoryName(result.Destination)));
                return ExitCodes.Failure;
            default:
                errors.Error("no active credentials found", LogField.Quoted("profile", profile), LogField.Quoted("dir", options.HistoryDir));
                return ExitCodes.Failure;
        }
    }

    private static void ReportUnreadable(CommandContext context, HistorySearch search)
    {
        foreach (var dir in search.Unreadable)
        {
            StderrLog(context).Warn("history directory unreadable, skipped", LogField.Quoted("dir", dir));
        }

        foreach (var (path, reason) in search.Skipped)
        {
            StderrLog(context).Warn("history entry skipped", LogField.Quoted("path", path), LogField.Quoted("reason", reason));
        }
    }
}
