using System.Runtime.InteropServices;

namespace AiSandbox.Common.Unix;

/// <summary>kill(2): .NET can only SIGKILL a process; forwarding SIGINT/SIGTERM or sending SIGHUP needs the real call.</summary>
public static partial class Signals
{
    public const int SIGHUP = 1;
    public const int SIGTERM = 15;

    /// <returns>0, or -1 with errno in <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
