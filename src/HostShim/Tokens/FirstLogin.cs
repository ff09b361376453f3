using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// <c>ai &lt;profile&gt;</c> for a profile that has no credentials yet, with a person at the terminal: the
/// same PKCE paste login as <c>ai login &lt;profile&gt;</c>, then the launch goes on. A failed or abandoned
/// login names the command to try again with and starts nothing.
/// </summary>
internal static class FirstLogin
{
    public static async Task<bool> RunAsync(CommandContext context, ShimServices services, HostLayout layout, string profile, LogfmtLog log)
    {
        log.Info("no claude credentials for this profile yet, logging in", ("profile", profile), ("path", layout.ClaudeCredentials(profile)));
        if (await services.Chains.LoginAsync(layout, profile, context.Stdin, context.Stdout, context.Cancellation).ConfigureAwait(false))
        {
            return true;
        }

        log.Fatal("claude login failed", ("profile", profile), ("run", LoginHint.Claude(context.Environment, profile)));
        return false;
    }
}
