using System.Runtime.InteropServices;
using static AiSandbox.HostShim.Podman.Terminal.TerminalNative;

namespace AiSandbox.HostShim.Podman.Terminal;

/// <summary>
/// Runs <c>podman run -it</c> on a pty of its own and relays between it and the user's terminal, which it
/// holds in raw mode meanwhile (podman would have put it there itself): keystrokes pass unchanged, window
/// sizes follow the user's terminal, and the sandbox's output passes through <see cref="BootNoise"/>, which
/// drops systemd's early cgroup lines. One thread polls the user's terminal, the pty and a wake-up pipe, so
/// nothing reads the user's keys once podman has exited.
/// </summary>
internal sealed class TerminalRelay
{
    private const int Stdin = 0;
    private const int Stdout = 1;

    /// <summary>After podman exits, how long its last output may take to arrive (a process that inherited the pty
    /// and outlives it must not hold ai).</summary>
    private const int DrainMilliseconds = 1000;

    private readonly PtySpawn.Started _child;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly byte[] _saved;
    private readonly BootNoise _noise = new();
    private readonly TaskCompletionSource<int> _childExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _pumped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _resize;

    private TerminalRelay(PtySpawn.Started child, int wakeRead, int wakeWrite, byte[] saved)
    {
        _child = child;
        _wakeRead = wakeRead;
        _wakeWrite = wakeWrite;
        _saved = saved;
        _resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopyWindowSize());
    }

    /// <summary>True where the relay can run and has something to do: Linux, and ai's stdin, stdout and stderr
    /// all on a terminal (podman's messages then reach the same screen through the pty).</summary>
    public static bool Usable() =>
        OperatingSystem.IsLinux() && Native.IsATty(0) == 1 && Native.IsATty(1) == 1 && Native.IsATty(2) == 1;

    /// <summary>Starts <paramref name="executable"/> on a pty and the relay's threads.</summary>
    public static unsafe AttachedChild Start(string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var saved = new byte[OpaqueSize];
        var raw = new byte[OpaqueSize];
        var size = new byte[8];
        var wake = stackalloc int[2];
        fixed (byte* s = saved, r = raw, z = size)
        {
            if (TcGetAttr(Stdin, s) != 0)
            {
                throw PtySpawn.Failure("cannot read the terminal's settings", "tcgetattr");
            }

            var hasSize = Ioctl(Stdin, TiocGetWinSize, z) == 0;
            if (Pipe2(wake, OpenCloseOnExec) != 0)
            {
                throw PtySpawn.Failure("cannot create a pipe", "pipe2");
            }

            PtySpawn.Started child;
            try
            {
                child = PtySpawn.Start(executable, args, environment, s, hasSize ? z : null);
            }
            catch
            {
                _ = Close(wake[0]);
                _ = Close(wake[1]);
                throw;
            }

            Array.Copy(saved, raw, raw.Length);
            CfMakeRaw(r);
            _ = TcSetAttr(Stdin, TcsaDrain, r);
            var relay = new TerminalRelay(child, wake[0], wake[1], saved);
            relay.Run();
            return new AttachedChild(child.Pid, relay.ExitedAsync());
        }
    }

    private void Run()
    {
        new Thread(WaitForChild) { IsBackground = true, Name = "podman wait" }.Start();
        new Thread(Pump) { IsBackground = true, Name = "terminal relay" }.Start();
    }

    /// <summary>podman's exit code, once its last output has reached the user's terminal and that terminal is back
    /// in the mode it had.</summary>
    private async Task<int> ExitedAsync()
    {
        await _pumped.Task.ConfigureAwait(false);
        var code = await _childExited.Task.ConfigureAwait(false);
        _ = Close(_wakeRead);
        _ = Close(_wakeWrite);
        return code;
    }

    private unsafe void WaitForChild()
    {
        var status = 0;
        while (WaitPid(_child.Pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == EINTR)
        {
        }

        // Our end of podman's terminal goes now, so the pty reports a hang-up once nothing else holds it.
        _ = Close(_child.Slave);

        // Exit code as a shell reports it: the code, or 128 + the signal that ended it.
        _childExited.SetResult((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f));
        byte one = 1;
        _ = Write(_wakeWrite, &one, 1);
    }

    private unsafe void Pump()
    {
        var buffer = new byte[16384];
        var fds = stackalloc PollFd[3];
        fds[0] = new PollFd { Fd = _child.Master, Events = PollIn };
        fds[1] = new PollFd { Fd = _wakeRead, Events = PollIn };
        fds[2] = new PollFd { Fd = Stdin, Events = PollIn };
        var watched = 3;
        var timeout = -1;
        try
        {
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    var ready = Poll(fds, (nuint)watched, timeout);
                    if (ready < 0 && Marshal.GetLastPInvokeError() == EINTR)
                    {
                        continue;
                    }

                    if (ready <= 0)
                    {
                        break; // the drain's time is up
                    }

                    if ((fds[0].Revents & PollIn) != 0)
                    {
                        var n = Read(_child.Master, b, (nuint)buffer.Length);
                        if (n > 0)
                        {
                            WriteAll(Stdout, _noise.Pass(new ReadOnlySpan<byte>(b, (int)n)));
                        }
                        else if (n == 0 || Marshal.GetLastPInvokeError() is not (EINTR or EAGAIN))
                        {
                            break; // EIO: every holder of the pty's other end has closed it
                        }
                    }
                    else if ((fds[0].Revents & (PollHup | PollErr | PollNval)) != 0)
                    {
                        break;
                    }

                    // Only what this poll watched: poll leaves the others' Revents as they were.
                    if (watched > 1 && (fds[1].Revents & PollIn) != 0)
                    {
                        // podman has exited: take what it wrote last, and stop reading the user's keys, which
                        // belong to the shell again.
                        watched = 1;
                        timeout = DrainMilliseconds;
                    }
                    else if (watched == 3 && fds[2].Revents != 0)
                    {
                        var n = (fds[2].Revents & PollIn) != 0 ? Read(Stdin, b, (nuint)buffer.Length) : 0;
                        if (n > 0)
                        {
                            WriteAll(_child.Master, new ReadOnlySpan<byte>(b, (int)n));
                        }
                        else if (n == 0 || Marshal.GetLastPInvokeError() is not (EINTR or EAGAIN))
                        {
                            watched = 2; // the user's terminal is gone; the stop path ends podman
                        }
                    }
                }
            }
        }
        finally
        {
            Finish();
        }
    }

    private unsafe void Finish()
    {
        WriteAll(Stdout, _noise.Flush());
        fixed (byte* s = _saved)
        {
            _ = TcSetAttr(Stdin, TcsaDrain, s);
        }

        _resize.Dispose();
        _ = Close(_child.Master);
        _pumped.SetResult();
    }

    private unsafe void CopyWindowSize()
    {
        var size = stackalloc byte[8];
        if (Ioctl(Stdin, TiocGetWinSize, size) == 0)
        {
            _ = Ioctl(_child.Master, TiocSetWinSize, size);
        }
    }

    // Blocking descriptors; a terminal that went away (EIO) drops the output, so podman is never stuck on a full pty.
    private static unsafe void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Write(fd, p + done, (nuint)(data.Length - done));
                if (n > 0)
                {
                    done += (int)n;
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == EINTR)
                {
                    continue;
                }

                if (error == EAGAIN)
                {
                    var out1 = new PollFd { Fd = fd, Events = PollOut };
                    _ = Poll(&out1, 1, 100);
                    continue;
                }

                return;
            }
        }
    }
}
