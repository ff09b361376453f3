using AiSandbox.Common.IO;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>
/// Copies and small text files in a session home, each written atomically (0600 unless the source's mode
/// is kept). Not fsync'd: a session home is rebuilt from its durable sources at every launch.
/// </summary>
internal static class SessionFiles
{
    /// <summary>Copies <paramref name="source"/> over <paramref name="destination"/> atomically; false when the source does not exist.</summary>
    public static bool CopyIfExists(string source, string destination, UnixFileMode mode = AtomicFile.PrivateFile)
    {
        byte[] content;
        try
        {
            content = BoundedFile.ReadAllBytes(source, 16 << 20);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }

        AtomicFile.WriteAllBytes(destination, content, mode, durable: false);
        return true;
    }

    /// <summary>Writes one line (value plus newline), as the baseline's marker files are.</summary>
    public static void WriteLine(string path, string value) => AtomicFile.WriteAllText(path, value + "\n", durable: false);

    /// <summary>The first line of a marker file, trimmed; null when missing or empty.</summary>
    public static string? ReadFirstLine(string path)
    {
        try
        {
            var text = BoundedFile.ReadAllText(path, 64 * 1024);
            var line = text.Split('\n')[0].Trim();
            return line.Length == 0 ? null : line;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public static void DeleteIfExists(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }

    /// <summary>Copies a directory tree file by file (modes kept, symlinks recreated); existing files are replaced.</summary>
    public static void CopyTree(string source, string destination)
    {
        AtomicFile.EnsureDirectory(destination);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(destination, entry.Name);
            if (entry.LinkTarget is { } linkTarget)
            {
                ClaudePlugins.ReplaceSymlink(target, linkTarget);
            }
            else if (entry is DirectoryInfo dir)
            {
                CopyTree(dir.FullName, target);
            }
            else
            {
                AtomicFile.WriteAllBytes(target, File.ReadAllBytes(entry.FullName), File.GetUnixFileMode(entry.FullName), durable: false);
            }
        }
    }
}
