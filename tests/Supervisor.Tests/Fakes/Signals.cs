using System.Runtime.InteropServices;

namespace AiSandbox.Supervisor.Tests.Fakes;

internal static class Signals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

#pragma warning disable SYSLIB1054 // a test helper; LibraryImport would need unsafe blocks for nothing
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
