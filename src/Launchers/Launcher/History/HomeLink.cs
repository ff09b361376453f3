using AiSandbox.Common.Logging;
using AiSandbox.Launchers.SessionConfig;

namespace AiSandbox.Launchers.History;

/// <summary>
/// Points <c>~/.claude</c>, <c>~/.codex</c> or <c>~/.gemini</c> at the session home. Only the link is
/// replaced: the previous session's files (its credentials above all) stay where they are, unlike the
/// baseline, which deleted <c>.credentials.json</c> through the old link. A real directory in the way is
/// moved aside, never deleted.
/// </summary>
internal static class HomeLink
{
    public static void Point(string link, string target, DateTimeOffset now, LogfmtLog log)
    {
        var info = new DirectoryInfo(link);
        if (info.LinkTarget is null && info.Exists)
        {
            var backup = $"{link}-backup.{now.UtcDateTime:yyyyMMdd'T'HHmmss}.{Guid.NewGuid().ToString("N")[..6]}";
            Directory.Move(link, backup);
            log.Info("saved existing agent home", ("path", backup));
        }
        else if (info.LinkTarget is null && File.Exists(link))
        {
            File.Move(link, link + "-backup." + Guid.NewGuid().ToString("N")[..6]);
        }

        ClaudePlugins.ReplaceSymlink(link, target);
    }
}
