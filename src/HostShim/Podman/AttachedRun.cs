using System.Diagnostics;
using System.Runtime.InteropServices;
using AiSandbox.Common.Unix;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// Runs podman on the user's terminal (stdin, stdout and stderr inherited, nothing redirected), forwards
/// SIGINT, SIGTERM and SIGHUP sent to <c>ai</c> to podman instead of dying first, and returns podman's
/// exit code. With a <c>stop</c>, SIGTERM and SIGHUP run it instead of reaching podman (see <see cref="SandboxStop"/>).
/// With <c>relay</c>, podman gets a pty of its own and <see cref="Terminal.TerminalRelay"/> stands between it and
/// the user's terminal.
/// </summary>
internal static class AttachedRun
{
    private static readonly (PosixSignal Signal, int Number)[] Forwarded =
    [
        (PosixSignal.SIGINT, 2),
        (PosixSignal.SIGTERM, 15),
        (PosixSignal.SIGHUP, 1),
    ];

    /// <summary>Sets each variable, or removes it when its value is null.</summary>
    public static void Apply(ProcessStartInfo psi, IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }
    }

    public static async Task<int> RunAsync(string executable, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?> environment, Action? started = null, Func<AttachedChild, int, Task>? stop = null,
        bool relay = false)
    {
        AttachedChild? running = null;
        var pending = new List<int>();
        var stopSignal = 0;
        Task stopping = Task.CompletedTask;
        var gate = new object();
        var registrations = Forwarded.Select(f => PosixSignalRegistration.Create(f.Signal, context =>
        {
            // ai stays alive until podman has handled the signal and exited; its code is what we return.
            context.Cancel = true;
            lock (gate)
            {
                if (stop is not null && f.Signal != PosixSignal.SIGINT)
                {
                    // One stop, whatever else arrives (a closed terminal sends SIGHUP, then often SIGTERM).
                    if (stopSignal == 0)
                    {
                        stopSignal = f.Number;
                        if (running is not null)
                        {
                            stopping = Task.Run(() => stop(running, f.Number));
                        }
                    }
                }
                else if (running is not null)
                {
                    _ = Signals.Kill(running.Id, f.Number);
                }
                else
                {
                    pending.Add(f.Number);
                }
            }
        })).ToList();
        try
        {
            var process = relay ? Terminal.TerminalRelay.Start(executable, args, environment) : Start(executable, args, environment);
            lock (gate)
            {
                running = process;
                foreach (var signal in pending)
                {
                    _ = Signals.Kill(process.Id, signal);
                }

                if (stopSignal != 0)
                {
                    stopping = Task.Run(() => stop!(process, stopSignal));
                }
            }

            started?.Invoke();
            var exitCode = await process.Exited.ConfigureAwait(false);
            Task stopped;
            lock (gate)
            {
                stopped = stopping;
            }

            // A stop under way ends only once its container is stopped, even when podman run returned first.
            await stopped.ConfigureAwait(false);
            return exitCode;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private static AttachedChild Start(string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        Apply(psi, environment);
        var process = Process.Start(psi) ?? throw new FatalException("cannot start podman", ("path", executable));
        return AttachedChild.From(process);
    }
}
