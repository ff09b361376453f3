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
internal sealed class ChainRefresher(RefresherOptions options, Func<ITokenEndpoint> endpoint, ILogger logger, TimeProvider time,
    RecentRefreshes? recent = null)
{
    // The watchdog rate-limits its pings; beating this often while a request is waited for keeps even a
    // one-second watchdog fed.
    private static readonly TimeSpan BeatPeriod = TimeSpan.FromMilliseconds(250);

    /// <param name="chain">The chain <paramref name="servedPath"/> belongs to.</param>
    /// <param name="servedPath">The copy this caller is responsible for keeping fresh.</param>
    /// <param name="extraSources">More copies to adopt from (for example active history copies).</param>
    /// <param name="force">Refresh even when not in the refresh window.</param>
    /// <param name="cancellationToken">Cancels the lock wait, and a refresh not yet begun; a request that was sent is finished.</param>
    public Task<ChainOutcome> RefreshAsync(Chain chain, string servedPath, IReadOnlyList<string> extraSources, bool force, CancellationToken cancellationToken) =>
        RefreshAsync(chain, servedPath, extraSources, force, alive: null, cancellationToken);

    /// <inheritdoc cref="RefreshAsync(Chain, string, IReadOnlyList{string}, bool, CancellationToken)"/>
    /// <param name="alive">Called while waiting for the lock and around the token request (a watchdog beat).</param>
    public async Task<ChainOutcome> RefreshAsync(Chain chain, string servedPath, IReadOnlyList<string> extraSources, bool force, Action? alive,
        CancellationToken cancellationToken)
    {
        var file = Path.GetFileName(servedPath);
        var profile = chain.DisplayName;
        FileLock held;
        try
        {
            held = await ChainLock.AcquireAsync(chain, options.LockTimeout, time, alive, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or UnauthorizedAccessException)
        {
            RefreshLog.LockTimeout(logger, file, profile, chain.LockPath, e.Message);
            return new ChainOutcome(chain, servedPath, ChainState.Failed);
        }

        // Past this point nothing is cancelled: a stop only keeps the next chain from starting, so a request
        // that was sent is waited for (bounded by its attempt timeout) and its answer written.

        using (held)
        {
            alive?.Invoke();
            var outcome = await RefreshLockedAsync(chain, servedPath, extraSources, force, alive, cancellationToken).ConfigureAwait(false);
            alive?.Invoke();
            return outcome;
        }
    }

    private async Task<ChainOutcome> RefreshLockedAsync(Chain chain, string servedPath, IReadOnlyList<string> extraSources, bool force, Action? alive,
        CancellationToken cancellationToken)
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
            RefreshLog.Adopted(logger, file, profile, newest.Path, ExpiryText.Human(newest.ExpiresAtOrMin));
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

        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var expiresAt = newest.Credentials.ExpiresAt ?? 0;
        var remainingSecs = (expiresAt - nowMs) / 1000;
        var dueAt = DueAt(chain, newest.IsComplete ? expiresAt : null);
        if (!force && now < dueAt)
        {
            RefreshLog.TokenValid(logger, file, profile, remainingSecs, ExpiryText.Human(expiresAt));
            return new ChainOutcome(chain, servedPath, ChainState.Valid, expiresAt, adoptedFrom, dueAt);
        }

        if (markedForNewest)
        {
            RefreshLog.NeedsLogin(logger, file, profile, LoginHint(chain));
            return new ChainOutcome(chain, servedPath, ChainState.NeedsLogin, expiresAt, adoptedFrom);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Stopped while reading: a refresh not yet begun is left to the next run.
            return new ChainOutcome(chain, servedPath, ChainState.Stopped, expiresAt, adoptedFrom);
        }

        RefreshLog.Refreshing(logger, file, profile, remainingSecs, ExpiryText.Human(expiresAt));
        var request = endpoint().RefreshAsync(refreshToken, string.Join(' ', newest.Credentials.Scopes), cancellationToken);
        await WhileBeatingAsync(request, alive).ConfigureAwait(false);
        var result = await request.ConfigureAwait(false);

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
            case TokenOutcome.Uncertain:
                // The server may have rotated this token and the answer is lost: sending it again would at best
                // be refused, and with reuse detection revoke the chain. Keep the copies as they are and remember
                // the token; a newer token in any copy (a login, the agent's own refresh) clears the mark.
                TryMark(chain, refreshToken, NeedsLoginMark.OutcomeUnknown);
                RefreshLog.Uncertain(logger, file, profile, result.StatusText, result.Error ?? "unknown", LoginHint(chain));
                return new ChainOutcome(chain, servedPath, ChainState.NeedsLogin, expiresAt, adoptedFrom);
            case TokenOutcome.InvalidGrant:
                TryMark(chain, refreshToken, NeedsLoginMark.Rejected);
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
        var issuedAt = time.GetUtcNow();
        var newExpires = issuedAt.ToUnixTimeMilliseconds() + issued.ExpiresInSeconds * 1000;
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
        RefreshLog.Refreshed(logger, file, profile, ExpiryText.Human(newExpires));
        recent?.Record(chain, issuedAt, newExpires);
        if (TimeSpan.FromSeconds(issued.ExpiresInSeconds) <= options.RefreshBefore)
        {
            RefreshLog.LifetimeWithinWindow(logger, file, profile, issued.ExpiresInSeconds, (long)options.RefreshBefore.TotalSeconds);
        }

        return new ChainOutcome(chain, servedPath, ok ? ChainState.Refreshed : ChainState.Failed, newExpires, adoptedFrom, DueAt(chain, newExpires));
    }

    /// <summary>
    /// When a copy expiring at <paramref name="expiresAt"/> (null: unknown, due now) enters its refresh window:
    /// REFRESH_BEFORE ahead of its expiry, except that a token this process got whose lifetime is not longer
    /// than REFRESH_BEFORE is due at half its lifetime (else it would be due the moment it arrived), and
    /// never sooner than the minimum interval after this process last refreshed the chain.
    /// </summary>
    private DateTimeOffset DueAt(Chain chain, long? expiresAt)
    {
        var due = expiresAt is { } e ? At(e) - options.RefreshBefore : DateTimeOffset.MinValue;
        if (recent?.For(chain) is not { } last)
        {
            return due;
        }

        if (expiresAt == last.ExpiresAtMs && last.Lifetime <= options.RefreshBefore)
        {
            due = last.At + last.Lifetime / 2;
        }

        var floor = last.At + options.MinimumRefreshInterval;
        return due < floor ? floor : due;
    }

    // An expiresAt outside DateTimeOffset's range (a hand-made file) must not throw: clamp it.
    private static DateTimeOffset At(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(epochMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() - (long)TimeSpan.FromDays(366 * 2).TotalMilliseconds));

    /// <summary>
    /// Waits for <paramref name="request"/>, calling <paramref name="alive"/> meanwhile, so a watchdog stays fed
    /// through a slow but bounded request; past <see cref="OAuthHttp.LongestRequest"/> the beats stop, and a
    /// request hung beyond its own bounds is what the watchdog then catches.
    /// </summary>
    private async Task WhileBeatingAsync(Task request, Action? alive)
    {
        if (alive is null)
        {
            return;
        }

        alive();
        var started = time.GetTimestamp();
        var bound = OAuthHttp.LongestRequest(options);
        while (!request.IsCompleted && time.GetElapsedTime(started) < bound)
        {
            using var tick = new CancellationTokenSource();
            var delay = Task.Delay(BeatPeriod, time, tick.Token);
            if (await Task.WhenAny(request, delay).ConfigureAwait(false) == request)
            {
                await tick.CancelAsync().ConfigureAwait(false);
                break;
            }

            alive();
        }
    }

    /// <summary>The baseline's human expiry: <c>YYYY-MM-DD HH:MM:SS UTC</c>.</summary>
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
        // Compare against the file as it is now: a session's own client writes its copy without our lock.
        target = Reload(target);
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

    private void TryMark(Chain chain, string refreshToken, string reason)
    {
        try
        {
            NeedsLoginMark.Mark(chain, refreshToken, reason, time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RefreshLog.WriteFailed(logger, Path.GetFileName(NeedsLoginMark.PathFor(chain)), chain.DisplayName, e.Message);
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
