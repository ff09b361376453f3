using System.Runtime.InteropServices;

namespace AiSandbox.Launchers.Exec;

/// <summary>The libc calls a launcher needs that .NET does not expose: execve, mkdir without -p, signal masks.</summary>
internal static partial class Native
{
    internal const int SIGPIPE = 13;
    internal const int EEXIST = 17;
    internal const int SIG_BLOCK = 0;
    internal const int SIG_SETMASK = 2;

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    internal static partial int Execve(nint path, nint[] argv, nint[] envp);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mkdir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "getppid")]
    internal static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "signal")]
    internal static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "sigprocmask", SetLastError = true)]
    internal static partial int SigProcMask(int how, byte[] set, byte[]? oldSet);
}
