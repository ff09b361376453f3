using System.Runtime.InteropServices;

namespace AiSandbox.Common.IO;

/// <summary>What an open descriptor refers to, from <c>statx</c>: its layout is the same on every architecture, unlike <c>struct stat</c>.</summary>
internal readonly partial record struct FileStatus(uint Mode, long Size)
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxSize = 0x200;
    private const int ModeOffset = 28;
    private const int SizeOffset = 40;

    public bool IsRegular => (Mode & 0xF000) == 0x8000;

    /// <summary>The file type in words, for a one-line error.</summary>
    public string Kind => (Mode & 0xF000) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0x1000 => "a named pipe",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        0xA000 => "a symbolic link",
        _ => "not a regular file",
    };

    /// <exception cref="IOException">statx failed (the errno is in the message).</exception>
    public static unsafe FileStatus Of(int fd)
    {
        var buffer = stackalloc byte[256];
        if (Statx(fd, string.Empty, AtEmptyPath, StatxType | StatxMode | StatxSize, buffer) != 0)
        {
            throw new IOException("statx failed: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }

        return new FileStatus(*(ushort*)(buffer + ModeOffset), *(long*)(buffer + SizeOffset));
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
