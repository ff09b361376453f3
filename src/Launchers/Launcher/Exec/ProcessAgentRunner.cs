using System.Diagnostics;
using System.Runtime.InteropServices;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Common.Unix;

namespace AiSandbox.Launchers.Exec;

/// <summary>Starts the agent for real: execve for c and g (same PID, so the terminal and signals go straight to it), a child for cx.</summary>
internal sealed class ProcessAgentRunner : IAgentRunner
{
    public int Exec(AgentCommand command, TextWriter stderr)
    {
        var path = ProgramPath.Resolve(command.Program, command.Environment);
        if (path is null)
        {
            return NotFound(command, stderr);
        }

        if (command.WorkingDirectory is { } cwd)
        {
            Directory.SetCurrentDirectory(cwd);
        }

        Console.Out.Flush();
        stderr.Flush();

        // The runtime ignores SIGPIPE and may block signals on this thread; execve keeps both, and the agent
        // must start with the defaults a shell would give it.
        _ = Native.Signal(Native.SIGPIPE, 0);
        _ = Native.SigProcMask(Native.SIG_SETMASK, new byte[128], null);

        var argv = new nint[command.Args.Count + 2];
        var envp = new nint[command.Environment.Count + 1];
        var pathPtr = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            argv[0] = Marshal.StringToCoTaskMemUTF8(command.Program);
            for (var i = 0; i < command.Args.Count; i++)
            {
                argv[i + 1] = Marshal.StringToCoTaskMemUTF8(command.Args[i]);
            }

            var j = 0;
            foreach (var (key, value) in command.Environment)
            {
                envp[j++] = Marshal.StringToCoTaskMemUTF8(key + "=" + value);
            }

            _ = Native.Execve(pathPtr, argv, envp);
            var errno = Marshal.GetLastPInvokeError();
            stderr.WriteLine(Logfmt.Format("fatal", null, "cannot execute agent",
                [("program", path), LogField.Quoted("error", new System.ComponentModel.Win32Exception(errno).Message)]));
            return ExitCodes.Failure;
        }
        finally
        {
            Marshal.FreeCoTaskMem(pathPtr);
            foreach (var p in argv)
            {
                Marshal.FreeCoTaskMem(p);
            }

            foreach (var p in envp)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    public async Task<int> RunAsync(AgentCommand command, TextWriter stderr, CancellationToken cancellationToken)
    {
        var path = ProgramPath.Resolve(command.Program, command.Environment);
        if (path is null)
        {
            return NotFound(command, stderr);
        }

        var psi = ChildStart.Info(path, command.Args, command.Environment);
        if (command.WorkingDirectory is { } cwd)
        {
            psi.WorkingDirectory = cwd;
        }

        // Ctrl-C reaches the whole foreground process group: codex handles it; we keep waiting so the auth
        // sync still runs after it exits.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true);
        // A closed terminal hangs up the whole foreground group too: codex ends on its own, and we stay to
        // give its refreshed tokens back instead of dying with them.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + path);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            try
            {
                _ = Signals.Kill(process.Id, Signals.SIGTERM);
            }
            catch (InvalidOperationException)
            {
            }
        });
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }

    private static int NotFound(AgentCommand command, TextWriter stderr)
    {
        stderr.WriteLine(Logfmt.Format("fatal", null, "program not found on PATH", [("program", command.Program)]));
        return ExitCodes.Failure;
    }
}
