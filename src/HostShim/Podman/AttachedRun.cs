using System.Diagnostics;
using System.Runtime.InteropServices;
using AiSandbox.Common.Unix;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// Runs podman on the user's terminal (stdin, stdout and stderr inherited, nothing redirected), forwards
/// SIGINT, SIGTERM and SIGHUP sent to <c>ai</c> to podman instead of dying first, and returns podman's
/// exit code.
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
        IReadOnlyDictionary<string, string?> environment, Action? started = null)
    {
        var psi = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        Apply(psi, environment);

        var pid = 0;
        var pending = new List<int>();
        var gate = new object();
        var registrations = Forwarded.Select(f => PosixSignalRegistration.Create(f.Signal, context =>
        {
            // ai stays alive until podman has handled the signal and exited; its code is what we return.
            context.Cancel = true;
            lock (gate)
            {
                if (pid > 0)
                {
                    _ = Signals.Kill(pid, f.Number);
                }
                else
                {
                    pending.Add(f.Number);
                }
            }
        })).ToList();
        try
        {
            using var process = Process.Start(psi) ?? throw new FatalException("cannot start podman", ("path", executable));
            lock (gate)
            {
                pid = process.Id;
                foreach (var signal in pending)
                {
                    _ = Signals.Kill(pid, signal);
                }
            }

            started?.Invoke();
            await process.WaitForExitAsync().ConfigureAwait(false);
            return process.ExitCode;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
