using System.Runtime.InteropServices;

namespace AiSandbox.HostShim.Podman;

/// <summary>kill(2): .NET can only SIGKILL a child; forwarding SIGINT/SIGTERM needs the real call.</summary>
internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);
}
