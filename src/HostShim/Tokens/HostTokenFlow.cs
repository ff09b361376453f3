using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// The baseline's "refresh before launch" (behaviors 33–35), in-process: refresh the profile's chain;
/// if the settings copy is still expired, take the newest active copy from history; else log in
/// interactively. A failed login stops the launch before podman starts.
/// </summary>
internal sealed class HostTokenFlow(IClaudeChains chains, TimeProvider time, Func<string, string?> env)
{
    public async Task<bool> EnsureAsync(HostLayout layout, string profile, TextReader input, TextWriter output, LogfmtLog log,
        CancellationToken cancellation)
    {
        try
        {
            if (await chains.RefreshAsync(layout, profile, cancellation).ConfigureAwait(false) is not null
                && IsValid(layout.ClaudeCredentials(profile)))
            {
                log.Info("recovered active claude credentials from history", ("profile", profile));
                return true;
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or FatalException))
        {
            // A failed refresh is not fatal yet: history or a login may still give a valid token.
            log.Warn("claude token refresh failed", ("profile", profile), ("error", e.Message));
        }

        if (IsValid(layout.ClaudeCredentials(profile)))
        {
            return true;
        }

        if (await chains.RecoverFromHistoryAsync(layout, profile, cancellation).ConfigureAwait(false))
        {
            log.Info("recovered active claude credentials from history", ("profile", profile));
            return true;
        }

        log.Info("claude token expired, logging in", ("profile", profile));
        if (await chains.LoginAsync(layout, profile, input, output, cancellation).ConfigureAwait(false))
        {
            return true;
        }

        log.Fatal("claude login failed", ("profile", profile), ("run", LoginHint.Claude(env, profile)));
        return false;
    }

    private bool IsValid(string credentials) =>
        CredentialExpiry.ExpiresAtMs(credentials) > time.GetUtcNow().ToUnixTimeMilliseconds();
}
