using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Commands;
using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// <c>ai &lt;profile&gt;</c> (or <c>ai cx &lt;profile&gt;</c>) for a profile that has no credentials yet, with a
/// person at the terminal: the same login as <c>ai login</c> (Claude's PKCE paste) or <c>ai codex-login</c>
/// (Codex's device code), then the launch goes on. A failed or abandoned login names the command to try
/// again with and starts nothing.
/// </summary>
internal static class FirstLogin
{
    public static async Task<bool> ClaudeAsync(CommandContext context, ShimServices services, HostLayout layout, string profile, LogfmtLog log)
    {
        log.Info("no claude credentials for this profile yet, logging in", ("profile", profile), ("path", layout.ClaudeCredentials(profile)));
        if (await services.Chains.LoginAsync(layout, profile, context.Stdin, context.Stdout, context.Cancellation).ConfigureAwait(false))
        {
            return true;
        }

        log.Fatal("claude login failed", ("profile", profile), ("run", LoginHint.Claude(context.Environment, profile)));
        return false;
    }

    public static async Task<bool> CodexAsync(CommandContext context, ShimServices services, HostLayout layout, string profile, LogfmtLog log)
    {
        log.Info("no codex credentials for this profile yet, logging in", ("profile", profile), ("path", layout.CodexAuth(profile)));
        if (await LoginCommands.CodexAsync(context with { Args = [profile] }, services).ConfigureAwait(false) == ExitCodes.Ok)
        {
            return true;
        }

        log.Fatal("codex login failed", ("profile", profile), ("run", LoginHint.Codex(context.Environment, profile)));
        return false;
    }
}
