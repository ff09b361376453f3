using AiSandbox.Common.Cli;
using AiSandbox.Common.Unix;
using AiSandbox.Launchers.Exec;

namespace AiSandbox.Launchers.Shell;

/// <summary><c>x</c>: hangs up the shell that ran it; when that is the console shell, the sandbox stops.</summary>
internal static class ExitCommand
{
    public static CliCommand Line { get; } = new(
        "x",
        "Ends the shell that runs it (sends it SIGHUP). In the console shell this stops the sandbox.",
        [],
        [],
        "Exit codes: 0 ok, 1 the signal could not be sent, 2 bad command line.");

    public static int Run(LauncherHost host, Func<int> parentPid)
    {
        if (Line.ParseOrAnswer(host.Context.Args, host.Stdout, host.Stderr, out var exit) is null)
        {
            return exit;
        }

        var parent = parentPid();
        if (parent <= 1 || Signals.Kill(parent, Signals.SIGHUP) != 0)
        {
            return host.Fail("cannot signal the parent shell", ("pid", parent));
        }

        return ExitCodes.Ok;
    }
}
