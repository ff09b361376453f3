using System.Runtime.InteropServices;

namespace AiSandbox.Common.IO;

/// <summary>
/// Points a symbolic link at a new target without a moment where the link is missing: a new link under a
/// temporary name, then rename(2) over the old one. (File.Move refuses links to directories.)
/// </summary>
public static class AtomicSymlink
{
    /// <exception cref="IOException">The link cannot be created, or <paramref name="link"/> is a real directory.</exception>
    public static void Replace(string link, string target)
    {
        var temp = link + ".tmp." + Guid.NewGuid().ToString("N")[..8];
        File.CreateSymbolicLink(temp, target);
        if (Native.Rename(temp, link) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(temp);
            throw new IOException($"cannot replace {link}: {new System.ComponentModel.Win32Exception(errno).Message}");
        }
    }
}
