using System.Runtime.InteropServices;
using System.Text;
using static AiSandbox.HostShim.Podman.Terminal.TerminalNative;

namespace AiSandbox.HostShim.Podman.Terminal;

/// <summary>
/// Starts a program on a new pseudo-terminal, as a session leader whose controlling terminal is that pty,
/// so it behaves as on the user's own terminal (podman puts it in raw mode and resizes the sandbox's on
/// SIGWINCH). <see cref="System.Diagnostics.Process"/> cannot hand a child arbitrary descriptors, hence
/// posix_spawn: setsid, then the pty opened as fd 0 (which makes it the controlling terminal) and dup'ed to
/// 1 and 2, every signal at its default (.NET ignores SIGPIPE) and none blocked.
/// </summary>
internal static unsafe class PtySpawn
{
    /// <summary>The started child, the master end, and the parent's own slave descriptor, which keeps the
    /// pty from reporting a hang-up before the child has opened it; close it once the child has exited.</summary>
    public readonly record struct Started(int Pid, int Master, int Slave);

    /// <param name="termios">The terminal settings the pty starts with (the user's terminal's).</param>
    /// <param name="winsize">Its window size, 8 bytes, or null.</param>
    public static Started Start(string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment,
        byte* termios, byte* winsize)
    {
        var master = PosixOpenPt(OpenReadWrite | OpenNoCtty | OpenCloseOnExec);
        if (master < 0)
        {
            throw Failure("cannot open a pseudo-terminal", "posix_openpt");
        }

        var slave = -1;
        try
        {
            if (GrantPt(master) != 0 || UnlockPt(master) != 0)
            {
                throw Failure("cannot unlock the pseudo-terminal", "unlockpt");
            }

            var name = stackalloc byte[128];
            if (PtsNameR(master, name, 128) != 0)
            {
                throw Failure("cannot name the pseudo-terminal", "ptsname_r");
            }

            var path = Marshal.PtrToStringUTF8((nint)name)!;
            slave = Open(path, OpenReadWrite | OpenNoCtty | OpenCloseOnExec);
            if (slave < 0)
            {
                throw Failure("cannot open the pseudo-terminal", "open");
            }

            if (termios is not null)
            {
                _ = TcSetAttr(slave, 0, termios);
            }

            if (winsize is not null)
            {
                _ = Ioctl(master, TiocSetWinSize, winsize);
            }

            var pid = SpawnOn(path, executable, args, environment);
            return new Started(pid, master, slave);
        }
        catch
        {
            if (slave >= 0)
            {
                _ = Close(slave);
            }

            _ = Close(master);
            throw;
        }
    }

    private static int SpawnOn(string ptyPath, string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var attr = stackalloc byte[OpaqueSize];
        var actions = stackalloc byte[OpaqueSize];
        var all = stackalloc byte[OpaqueSize];
        var none = stackalloc byte[OpaqueSize];
        _ = SigFillSet(all);
        _ = SigEmptySet(none);
        _ = SpawnAttrInit(attr);
        _ = FileActionsInit(actions);
        var strings = new List<nint>();
        try
        {
            _ = SpawnAttrSetFlags(attr, SpawnSetSid | SpawnSetSigDef | SpawnSetSigMask);
            _ = SpawnAttrSetSigDefault(attr, all);
            _ = SpawnAttrSetSigMask(attr, none);
            _ = FileActionsAddOpen(actions, 0, ptyPath, OpenReadWrite, 0);
            _ = FileActionsAddDup2(actions, 0, 1);
            _ = FileActionsAddDup2(actions, 0, 2);

            var argv = Block([executable, .. args], strings);
            var envp = Block(Environment(environment), strings);
            var file = (byte*)Utf8(executable, strings);
            int pid;
            var error = Spawn(&pid, file, actions, attr, (byte**)argv, (byte**)envp);
            if (error != 0)
            {
                throw new FatalException("cannot start podman", ("path", executable), ("errno", error.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return pid;
        }
        finally
        {
            _ = FileActionsDestroy(actions);
            _ = SpawnAttrDestroy(attr);
            foreach (var pointer in strings)
            {
                NativeMemory.Free((void*)pointer);
            }
        }
    }

    /// <summary>ai's environment with the run's changes, applied as for a podman <see cref="System.Diagnostics.Process"/>.</summary>
    private static List<string> Environment(IReadOnlyDictionary<string, string?> changes)
    {
        var psi = new System.Diagnostics.ProcessStartInfo();
        AttachedRun.Apply(psi, changes);
        return [.. psi.Environment.Select(v => v.Key + "=" + v.Value)];
    }

    // A NULL-terminated array of C strings; every allocation is listed for the caller to free.
    private static nint Block(List<string> items, List<nint> owned)
    {
        var array = (nint*)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
        owned.Add((nint)array);
        for (var i = 0; i < items.Count; i++)
        {
            array[i] = Utf8(items[i], owned);
        }

        return (nint)array;
    }

    private static nint Utf8(string text, List<nint> owned)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        owned.Add((nint)buffer);
        Encoding.UTF8.GetBytes(text, new Span<byte>(buffer, length));
        buffer[length] = 0;
        return (nint)buffer;
    }

    /// <summary>A failed libc call, named with its errno.</summary>
    internal static FatalException Failure(string message, string call) =>
        new(message, ("call", call), ("errno", Marshal.GetLastPInvokeError().ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
