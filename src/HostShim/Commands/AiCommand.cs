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
            var rest = context with { Args = context.Args.Skip(1).ToArray() };
            return (context.Args.Count > 0 ? context.Args[0] : null) switch
            {
                "login" => await LoginCommands.ClaudeAsync(rest, services).ConfigureAwait(false),
                "codex-login" => await LoginCommands.CodexAsync(rest, services).ConfigureAwait(false),
                "token-refresh" => await TokenRefreshCommand.RunAsync(rest, services).ConfigureAwait(false),
                "ps" => await PsCommand.RunAsync(rest, services).ConfigureAwait(false),
                "stop" => await StopCommand.RunAsync(rest, services).ConfigureAwait(false),
                "kube" => await KubeCommand.RunAsync(rest, services).ConfigureAwait(false),
                "exec" => await PsExecCommands.ExecAsync(rest, services).ConfigureAwait(false),
                "setup-vm" => await SetupVmCommand.RunAsync(rest, services).ConfigureAwait(false),
                _ => await LaunchCommand.RunAsync(context, services).ConfigureAwait(false),
            };
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
}
