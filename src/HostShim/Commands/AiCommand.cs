using AiSandbox.Common.Cli;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai</c>'s entry: the subcommands (<c>login</c>, <c>codex-login</c>, <c>token-refresh</c>, <c>ps</c>, <c>stop</c>, <c>kube</c>, <c>exec</c>, <c>setup-vm</c>) when
/// the first word names one, else the sandbox launch. A Claude profile named like a subcommand is
/// reached with <c>ai c &lt;profile&gt;</c>.
/// </summary>
internal static class AiCommand
{
    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        try
        {
            return await Commands(services).RunAsync(context, c => LaunchCommand.RunAsync(c, services)).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return e.Report(context.Stderr, Usage.Text);
        }
        catch (FatalException e)
        {
            return e.Report(context.Stderr);
        }
    }

    // Built per run, not static: every command runs on the services of this process (or of a test).
    // The bare form is the launch, so this table's own usage is never printed: ai --help is Usage.Text.
    private static CliDispatch Commands(ShimServices services) => new(
        "ai <command> [args...]",
        string.Empty,
        [
            new CliVerb("login", "Claude OAuth login into $AI_DIR/settings", c => LoginCommands.ClaudeAsync(c, services), "[profile]"),
            new CliVerb("codex-login", "Codex device-code login into $AI_DIR/settings", c => LoginCommands.CodexAsync(c, services), "[profile] [--status]"),
            new CliVerb("token-refresh", "the standalone refresh-tokens --daemon container", c => TokenRefreshCommand.RunAsync(c, services)),
            new CliVerb("ps", "every running sandbox with its readiness", c => PsCommand.RunAsync(c, services)),
            new CliVerb("stop", "stop sandboxes cleanly", c => StopCommand.RunAsync(c, services), "NAME... | --all"),
            new CliVerb("kube", "the sandbox as a Kubernetes Pod manifest", c => KubeCommand.RunAsync(c, services), "[profile] [--no-refresher]"),
            new CliVerb("exec", "podman exec -it into a sandbox", c => PsExecCommands.ExecAsync(c, services), "[name|last] [command...]"),
            new CliVerb("setup-vm", "one-time podman machine setup", c => SetupVmCommand.RunAsync(c, services), "[--dry-run]"),
        ],
        string.Empty);
}
