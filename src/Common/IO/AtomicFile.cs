using System.Runtime.InteropServices;

namespace AiSandbox.Common.IO;

/// <summary>
/// Replaces a file so that every reader sees either the old content or the new, never a mix or an
/// empty file, even if the writer is killed: temp file in the same directory, fsync, rename, fsync of
/// the directory. New files are 0600 and missing directories are created 0700, because most of what we
/// write holds credentials.
/// A file rebuilt from durable sources at every use (a session home's copies and settings) is written
/// with <c>durable: false</c>: still atomic against a killed writer, but without the two fsyncs, which
/// cost more than the rest of a launch on a journaling file system (1.8 ms for the first, measured).
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void WriteAllText(string path, string content, UnixFileMode mode = PrivateFile, bool durable = true) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content), mode, durable);

    /// <exception cref="SymlinkRefusedException">The path is a symbolic link: renaming over it would detach
    /// whoever shares the link's target, and writing through it would touch a file we were not asked to.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, UnixFileMode mode = PrivateFile, bool durable = true)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? "/";
        EnsureDirectory(dir);
        RefuseSymlink(full);

        var temp = Path.Combine(dir, "." + Path.GetFileName(full) + ".tmp." + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode,
                Options = FileOptions.None,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            // umask may have narrowed the create mode; the requested mode is the contract.
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (durable)
        {
            FsyncDirectory(dir);
        }
    }

    /// <summary>Creates missing directories with mode 0700; existing ones keep their mode.</summary>
    public static void EnsureDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            return;
        }

        var parent = Path.GetDirectoryName(dir);
        if (!string.IsNullOrEmpty(parent))
        {
            EnsureDirectory(parent);
        }

        Directory.CreateDirectory(dir, PrivateDirectory);
    }

    public static void RefuseSymlink(string path)
    {
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new SymlinkRefusedException(path);
        }
    }

    // The rename is durable only once the directory entry is on disk.
    private static void FsyncDirectory(string dir)
    {
        var fd = Native.Open(dir, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return;
        }

        _ = Native.Fsync(fd);
        _ = Native.Close(fd);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A write was refused because its target is a symbolic link.</summary>
public sealed class SymlinkRefusedException(string path)
    : IOException($"refusing to write through a symbolic link: {path}")
{
    public string Path { get; } = path;
}
