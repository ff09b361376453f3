using System.Runtime.InteropServices;

namespace AiSandbox.HostShim.Podman;

/// <summary>isatty(3), without the terminal set-up Console does on first use.</summary>
internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);
}
