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
    /// <summary>EXDEV: .NET reports the errno of a failed rename as the IOException's HResult.</summary>
    private const int CrossDevice = 18;

    public static void Point(string link, string target, DateTimeOffset now, LogfmtLog log)
    {
        var info = new DirectoryInfo(link);
        if (info.LinkTarget is null && info.Exists)
        {
            var backup = $"{link}-backup.{now.UtcDateTime:yyyyMMdd'T'HHmmss}.{Guid.NewGuid().ToString("N")[..6]}";
            MoveAside(link, backup);
            log.Info("saved existing agent home", ("path", backup));
        }
        else if (info.LinkTarget is null && File.Exists(link))
        {
            File.Move(link, link + "-backup." + Guid.NewGuid().ToString("N")[..6]);
        }

        ClaudePlugins.ReplaceSymlink(link, target);
    }

    // A directory that comes from an image layer cannot be renamed on overlayfs without redirect_dir
    // (EXDEV, "Invalid cross-device link"): it is copied aside, then removed.
    private static void MoveAside(string dir, string backup)
    {
        try
        {
            Directory.Move(dir, backup);
            return;
        }
        catch (IOException e) when (e.HResult == CrossDevice)
        {
        }

        SessionFiles.CopyTree(dir, backup);
        Directory.Delete(dir, recursive: true);
    }
}
