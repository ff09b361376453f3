using AiSandbox.Common.IO;
using AiSandbox.TokenRefresher.Credentials;
using AiSandbox.TokenRefresher.OAuth;
using Microsoft.Extensions.Logging;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// The read-decide-refresh-write of one served copy, all under the chain lock: re-read every copy
/// involved, adopt the newest instead of refreshing, refresh only the newest refresh token, write the
/// result to the settings copy first and then to the served copy, each atomically. Never writes an empty
/// token, never moves a copy's <c>expiresAt</c> backwards, never writes through a symlink.
/// </summary>
internal sealed class ChainRefresher(RefresherOptions options, Func<ITokenEndpoint> endpoint, ILogger logger, TimeProvider time)
{
    /// <param name="chain">The chain <paramref name="servedPath"/> belongs to.</param>
    /// <param name="servedPath">The copy this caller is responsible for keeping fresh.</param>
    /// <param name="extraSources">More copies to adopt from (for example active history copies).</param>
    /// <param name="force">Refresh even when not in the refresh window.</param>
    public async Task<ChainOutcome> RefreshAsync(Chain chain, string servedPath, IReadOnlyList<string> extraSources, bool force, CancellationToken cancellationToken)
    {
        var file = Path.GetFileName(servedPath);
        var profile = chain.DisplayName;
        FileLock held;
        try
        {
            held = await ChainLock.AcquireAsync(chain, options.LockTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or UnauthorizedAccessException)
        {
            RefreshLog.LockTimeout(logger, file, profile, chain.LockPath, e.Message);
            return new ChainOutcome(chain, servedPath, ChainState.Failed);
        }

        using (held)
        {
            return await RefreshLockedAsync(chain, servedPath, extraSources, force, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ChainOutcome> RefreshLockedAsync(Chain chain, string servedPath, IReadOnlyList<string> extraSources, bool force, CancellationToken cancellationToken)
    {
        var file = Path.GetFileName(servedPath);
        var profile = chain.DisplayName;
        CredentialCopy served;
        try
        {
            served = CredentialCopy.Load(servedPath);
        }
        catch (CredentialReadException e)
        {
            RefreshLog.Unusable(logger, file, e.Reason);
            return new ChainOutcome(chain, servedPath, ChainState.Failed);
        }

        if (served.Credentials is null)
        {
            return new ChainOutcome(chain, servedPath, ChainState.Skipped);
        }

        var settings = chain.SettingsCopy is { } sp && !SamePath(sp, served.Path) ? TryLoad(sp, warn: true) : null;
        var copies = new List<CredentialCopy> { served };
        if (settings?.Credentials is not null)
        {
            copies.Add(settings);
        }

        foreach (var extra in extraSources)
        {
            if (!SamePath(extra, served.Path) && TryLoad(extra, warn: false, within: options.HistoryDir) is { Credentials: not null } copy)
            {
                copies.Add(copy);
            }
        }

        var newest = copies.Where(c => c.IsComplete).MaxBy(c => c.ExpiresAtOrMin);
        if (newest is null)
        {
            if (string.IsNullOrEmpty(served.Credentials.RefreshToken))
            {
                RefreshLog.NoRefreshToken(logger, file, profile);
                return new ChainOutcome(chain, servedPath, ChainState.NoRefreshToken);
            }

            newest = served;
        }

        string? adoptedFrom = null;
        if (!ReferenceEquals(newest, served) && newest.ExpiresAtOrMin > served.ExpiresAtOrMin)
        {
            if (!TryWrite(served, newest.Credentials!, newest.Credentials!.Scopes, chain))
            {
                return new ChainOutcome(chain, servedPath, ChainState.Failed);
            }

            adoptedFrom = newest.Path;
            RefreshLog.Adopted(logger, file, profile, newest.Path, Human(newest.ExpiresAtOrMin));
        }

        if (settings?.Credentials is not null && !ReferenceEquals(newest, settings) && newest.IsComplete && newest.ExpiresAtOrMin > settings.ExpiresAtOrMin)
        {
            // The settings copy is the hub every other copy adopts from: keep it at the newest.
            _ = TryWrite(settings, newest.Credentials!, newest.Credentials!.Scopes, chain);
        }

        var refreshToken = newest.Credentials!.RefreshToken!;
        var markedForNewest = NeedsLoginMark.IsMarkedFor(chain, refreshToken);
        if (!markedForNewest && NeedsLoginMark.IsMarked(chain))
        {
            // Someone logged in (here or in a session): the rejected token is no longer the newest.
            NeedsLoginMark.Clear(chain);
        }

        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var expiresAt = newest.Credentials.ExpiresAt ?? 0;
        var remainingSecs = (expiresAt - nowMs) / 1000;
        if (!force && newest.IsComplete && expiresAt - nowMs > (long)options.RefreshBefore.TotalMilliseconds)
        {
            RefreshLog.TokenValid(logger, file, profile, remainingSecs, Human(expiresAt));
            return new ChainOutcome(chain, servedPath, ChainState.Valid, expiresAt, adoptedFrom);
        }

        if (markedForNewest)
        {
            RefreshLog.NeedsLogin(logger, file, profile, LoginHint(chain));
            return new ChainOutcome(chain, servedPath, ChainState.NeedsLogin, expiresAt, adoptedFrom);
        }

        RefreshLog.Refreshing(logger, file, profile, remainingSecs, Human(expiresAt));
        var result = await endpoint().RefreshAsync(refreshToken, string.Join(' ', newest.Credentials.Scopes), cancellationToken).ConfigureAwait(false);

        switch (result.Outcome)
        {
            case TokenOutcome.Success:
                break;
            case TokenOutcome.RateLimited:
                RefreshLog.RateLimited(logger, file, profile, result.StatusText);
                return new ChainOutcome(chain, servedPath, ChainState.RateLimited, expiresAt, adoptedFrom);
            case TokenOutcome.NoResponse:
                RefreshLog.NoResponse(logger, file, profile, result.StatusText, result.Error ?? "empty response");
                return new ChainOutcome(chain, servedPath, ChainState.Failed, expiresAt, adoptedFrom);
            case TokenOutcome.InvalidGrant:
                TryMark(chain, refreshToken);
                RefreshLog.InvalidGrant(logger, file, profile, result.StatusText, LoginHint(chain));
                return new ChainOutcome(chain, servedPath, ChainState.NeedsLogin, expiresAt, adoptedFrom);
            case TokenOutcome.Unparsable:
                RefreshLog.NoAccessToken(logger, file, profile, result.StatusText, result.Error ?? "unknown");
                return new ChainOutcome(chain, servedPath, ChainState.Failed, expiresAt, adoptedFrom);
            default:
                RefreshLog.RefreshFailed(logger, file, profile, result.StatusText, result.Error ?? "unknown", result.RedactedBody ?? string.Empty);
                return new ChainOutcome(chain, servedPath, ChainState.Failed, expiresAt, adoptedFrom);
        }

        var issued = result.Tokens!;
        var newExpires = time.GetUtcNow().ToUnixTimeMilliseconds() + issued.ExpiresInSeconds * 1000;
        var source = newest.Credentials;
        var fresh = ClaudeCredentials.Create(issued.AccessToken, issued.RefreshToken ?? refreshToken, newExpires, source.Scopes);

        // Settings copy first: once it holds the new tokens every other copy can adopt them, even if we die next.
        var ok = true;
        if (settings?.Credentials is not null)
        {
            ok &= TryWrite(Reload(settings), fresh, null, chain);
        }

        ok &= TryWrite(Reload(served), fresh, null, chain);
        NeedsLoginMark.Clear(chain);
        RefreshLog.Refreshed(logger, file, profile, Human(newExpires));
        return new ChainOutcome(chain, servedPath, ok ? ChainState.Refreshed : ChainState.Failed, newExpires, adoptedFrom);
    }

    /// <summary>The baseline's human expiry: <c>YYYY-MM-DD HH:MM:SS UTC</c>.</summary>
    public static string Human(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, epochMs)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    private static string LoginHint(Chain chain) =>
        chain.Profile is null ? "run refresh-tokens --login" : $"run refresh-tokens --login {chain.Profile}";

    private CredentialCopy? TryLoad(string path, bool warn, string? within = null)
    {
        try
        {
            return CredentialCopy.LoadIfExists(path, within);
        }
        catch (CredentialReadException e)
        {
            if (warn)
            {
                RefreshLog.IgnoringCopy(logger, Path.GetFileName(path), e.Reason);
            }

            return null;
        }
    }

    // Re-read right before writing: a session's own client may have written a newer copy meanwhile.
    private CredentialCopy Reload(CredentialCopy copy) => TryLoad(copy.Path, warn: false) ?? copy;

    /// <summary>Writes <paramref name="tokens"/> into <paramref name="target"/>'s document, unless that would move it backwards.</summary>
    private bool TryWrite(CredentialCopy target, ClaudeCredentials tokens, IReadOnlyList<string>? scopes, Chain chain)
    {
        if (target.Credentials is null || tokens.ExpiresAt is not { } expires || target.ExpiresAtOrMin > expires)
        {
            return true;
        }

        try
        {
            var bytes = target.Credentials.WithTokens(tokens.AccessToken!, tokens.RefreshToken!, expires, scopes);
            AtomicFile.WriteAllBytes(target.Path, bytes);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            RefreshLog.WriteFailed(logger, Path.GetFileName(target.Path), chain.DisplayName, e.Message);
            return false;
        }
    }

    private void TryMark(Chain chain, string refreshToken)
    {
        try
        {
            NeedsLoginMark.Mark(chain, refreshToken, time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RefreshLog.WriteFailed(logger, Path.GetFileName(NeedsLoginMark.PathFor(chain)), chain.DisplayName, e.Message);
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
