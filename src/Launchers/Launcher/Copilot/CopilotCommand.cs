using AiSandbox.Common.IO;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Exec;
using AiSandbox.Launchers.Readiness;

namespace AiSandbox.Launchers.Copilot;

/// <summary>
/// <c>co</c>: Copilot keeps its login and sessions in COPILOT_HOME and refreshes them itself, so its home is
/// the profile's directory under the mounted settings, not a per-session copy: what it writes there
/// outlives the sandbox. No token passes through here.
/// </summary>
internal static class CopilotCommand
{
    /// <summary>Copilot's documented switches: every tool, path and URL without asking, and no self-update.</summary>
    public static readonly IReadOnlyList<string> Flags = ["--allow-all", "--no-auto-update"];

    public static async Task<int> RunAsync(LauncherHost host)
    {
        var begun = Cli.LaunchPrologue.Begin<CopilotOptions>(host);
        if (begun.Exit is { } exit)
        {
            return exit;
        }

        var options = begun.Options!;
        TimeSpan readyTimeout;
        try
        {
            readyTimeout = ReadinessGate.ParseTimeout(host.Env(ReadinessGate.TimeoutVariable));
        }
        catch (FormatException e)
        {
            return host.Fail("invalid readiness timeout", (ReadinessGate.TimeoutVariable, e.Message));
        }

        var state = Path.Combine(host.SettingsRoot, options.Profile is null ? "copilot" : "copilot_" + options.Profile);
        try
        {
            // Copilot stores its token in plain files here when no keyring answers, as in a sandbox: 0700.
            AtomicFile.RefuseSymlink(state);
            AtomicFile.EnsureDirectory(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return host.Fail("cannot prepare the Copilot home", LogField.Quoted("path", state), LogField.Quoted("error", e.Message));
        }

        await ReadinessGate.WaitAsync(host.Readiness(host), readyTimeout, new ReadinessDisplay(host.Stderr, host.Terminal, host.Log, host.Time), host.Log,
            host.Context.Cancellation).ConfigureAwait(false);

        var args = new List<string>(Flags);
        if (options.Resume is { } id)
        {
            args.Add("--resume=" + id);
        }

        var env = host.AgentEnvironment([
            new("COPILOT_HOME", state),
            new("COPILOT_ALLOW_ALL", "true"),
            new("COPILOT_AUTO_UPDATE", "false"),
        ]);
        return host.Runner.Exec(new AgentCommand("copilot", args, env), host.Stderr);
    }
}
