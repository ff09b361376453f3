using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AiSandbox.Common.IO;

/// <summary>
/// Reads small regular files with a size cap, so a stray 50 MB file is an error, not a memory spike. The
/// file is opened without blocking and checked on the open descriptor: a named pipe, device, socket or
/// directory at the path is refused at once (one error), never waited on. With <c>followSymlink: false</c>
/// a symlink at the file itself is refused; with <c>within</c> the file actually opened must lie below that
/// directory, so a symlinked directory on the way (even one swapped in after a listing) cannot lead out of it.
/// </summary>
public static class BoundedFile
{
    /// <summary>The cap for credential and settings files: far above any real one.</summary>
    public const int DefaultMaxBytes = 1 << 20;

    private const int ONonblock = 0x800;
    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int EPERM = 1;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;
    private const int ENXIO = 6;

    /// <exception cref="FileTooLargeException">The file is larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="NotRegularFileException">Not a regular file (or a refused symlink, or outside <c>within</c>).</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static byte[] ReadAllBytes(string path, int maxBytes = DefaultMaxBytes) => ReadAllBytes(path, maxBytes, followSymlink: true, within: null);

    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The cap.</param>
    /// <param name="followSymlink">False: a symlink at the file itself is refused (O_NOFOLLOW).</param>
    /// <param name="within">When set, the file opened must resolve to a path below this directory (itself resolved).</param>
    public static byte[] ReadAllBytes(string path, int maxBytes, bool followSymlink, string? within)
    {
        using var handle = OpenRead(path, followSymlink);
        var fd = (int)handle.DangerousGetHandle();
        var status = FileStatus.Of(fd);
        if (!status.IsRegular)
        {
            throw new NotRegularFileException(path, "is " + status.Kind);
        }

        if (within is not null && !IsWithin(fd, within))
        {
            throw new NotRegularFileException(path, "resolves outside " + within);
        }

        if (status.Size > maxBytes)
        {
            throw new FileTooLargeException(path, maxBytes);
        }

        // The size may change while we read: read to the end, but never past the cap.
        var buffer = new byte[Math.Min(maxBytes + 1, (int)status.Size + 1)];
        var total = 0;
        int read;
        while ((read = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new FileTooLargeException(path, maxBytes);
            }

            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(maxBytes + 1, buffer.Length * 2));
            }
        }

        return buffer.AsSpan(0, total).ToArray();
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading without blocking: a named pipe with no writer opens (and reads as
    /// empty) instead of holding the caller, for callers that judge the descriptor themselves (its mode, its kind).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">Any other reason, named.</exception>
    public static SafeFileHandle OpenRead(string path, bool followSymlink = true)
    {
        var flags = Native.O_RDONLY | Native.O_CLOEXEC | ONonblock | (followSymlink ? 0 : Native.O_NOFOLLOW);
        var fd = Native.Open(path, flags, 0);
        return fd < 0 ? throw OpenError(path, Marshal.GetLastPInvokeError(), followSymlink) : new SafeFileHandle(fd, ownsHandle: true);
    }

    public static string ReadAllText(string path, int maxBytes = DefaultMaxBytes) =>
        System.Text.Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes));

    public static string ReadAllText(string path, int maxBytes, bool followSymlink, string? within) =>
        System.Text.Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes, followSymlink, within));

    /// <summary>The physical path of a directory (every symlink on the way resolved), or null when it cannot be opened.</summary>
    public static string? PhysicalDirectory(string dir)
    {
        var fd = Native.Open(dir, Native.O_RDONLY | Native.O_CLOEXEC | Native.O_DIRECTORY, 0);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return DescriptorPath(fd);
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private static bool IsWithin(int fd, string root)
    {
        var physicalRoot = PhysicalDirectory(root);
        var opened = DescriptorPath(fd);
        return physicalRoot is not null && opened is not null &&
            opened.StartsWith(Path.TrimEndingDirectorySeparator(physicalRoot) + "/", StringComparison.Ordinal);
    }

    private static string? DescriptorPath(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static IOException OpenError(string path, int errno, bool followSymlink) => errno switch
    {
        ENOENT => new FileNotFoundException("file not found", path),
        ENOTDIR => new DirectoryNotFoundException($"a parent of {path} is not a directory"),
        ELOOP when !followSymlink => new NotRegularFileException(path, "is a symbolic link (refused)"),
        ENXIO => new NotRegularFileException(path, "is a socket or a device without a driver"),
        EACCES or EPERM => throw new UnauthorizedAccessException($"permission denied: {path}"),
        _ => new IOException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(errno)}"),
    };
}

public sealed class FileTooLargeException(string path, int maxBytes)
    : IOException($"file is larger than {maxBytes} bytes: {path}")
{
    public string Path { get; } = path;
}

/// <summary>The path names something other than a regular file we may read; <see cref="Reason"/> says what (safe to log).</summary>
public sealed class NotRegularFileException(string path, string reason) : IOException($"{path} {reason}")
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}
