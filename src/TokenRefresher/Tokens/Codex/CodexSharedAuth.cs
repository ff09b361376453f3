using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Codex;

/// <summary>What <see cref="CodexSharedAuth.SyncBackAsync"/> did with a session's copy.</summary>
public enum CodexSyncResult
{
    /// <summary>The session's copy was the newest: the shared copy now holds it.</summary>
    Written,

    /// <summary>No copy in the session, or it is what the session started from.</summary>
    Unchanged,

    /// <summary>The shared copy already holds the same tokens.</summary>
    Same,

    /// <summary>The shared copy holds a later login (another session's refresh, or a login): kept.</summary>
    SharedNewer,
}

/// <summary>
/// A Codex profile's shared <c>auth.json</c> (the settings copy) and the per-session copies codex
/// refreshes on its own. Every read-decide-write of the shared copy holds its chain lock, flock on
/// <c>auth.json.lock</c>, which <c>cx</c> and <c>codex-login</c> both take. A session starts from the
/// newest copy and gives its copy back only when codex changed it since launch and it is newer than the
/// shared one, so a session that did not refresh can never roll back another session's refresh.
/// </summary>
public static class CodexSharedAuth
{
    public static string LockPath(string sharedAuth) => sharedAuth + ".lock";

    /// <summary>
    /// Under the chain lock, puts the newest of the shared copy and the session's own (a resumed session
    /// may hold a refresh that never made it back) into both, and returns the hash of the session copy as
    /// launched, the snapshot <see cref="SyncBackAsync"/> compares against (null: give the copy back at exit
    /// whatever codex does, because the shared copy could not take it now).
    /// </summary>
    public static async Task<byte[]?> PrepareSessionAsync(string sharedAuth, string sessionAuth, TimeSpan lockTimeout, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        using var held = await FileLock.AcquireAsync(LockPath(sharedAuth), lockTimeout, time, cancellationToken).ConfigureAwait(false);
        var shared = CodexAuthCopy.Read(sharedAuth);
        var session = CodexAuthCopy.Read(sessionAuth);
        if (session is not null && session.IsNewerThan(shared) && (shared is null || !session.SameTokens(shared)))
        {
            try
            {
                AtomicFile.WriteAllBytes(sharedAuth, session.Bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The session still starts from its newer copy; with no snapshot the sync-back tries again
                // (and says why it cannot) even if codex does not refresh.
                return null;
            }

            return session.Hash;
        }

        if (shared is null)
        {
            return session?.Hash;
        }

        if (session is null || !session.Bytes.AsSpan().SequenceEqual(shared.Bytes))
        {
            AtomicFile.WriteAllBytes(sessionAuth, shared.Bytes, durable: false);
        }

        return shared.Hash;
    }

    /// <summary>
    /// Under the chain lock, writes the session's copy over the shared one only when the session changed
    /// it since launch (<paramref name="launchHash"/>) and it is newer: a later <c>last_refresh</c>, or,
    /// for a copy without one, a shared copy nobody has written since this session started.
    /// </summary>
    public static async Task<CodexSyncResult> SyncBackAsync(string sessionAuth, string sharedAuth, byte[]? launchHash, TimeSpan lockTimeout,
        TimeProvider time, CancellationToken cancellationToken = default)
    {
        if (CodexAuthCopy.Read(sessionAuth) is not { } peek || (launchHash is not null && peek.Hash.AsSpan().SequenceEqual(launchHash)))
        {
            return CodexSyncResult.Unchanged;
        }

        using var held = await FileLock.AcquireAsync(LockPath(sharedAuth), lockTimeout, time, cancellationToken).ConfigureAwait(false);
        var session = CodexAuthCopy.Read(sessionAuth);
        if (session is null || !session.IsUsable || (launchHash is not null && session.Hash.AsSpan().SequenceEqual(launchHash)))
        {
            return CodexSyncResult.Unchanged;
        }

        var shared = CodexAuthCopy.Read(sharedAuth);
        if (shared is not null && session.SameTokens(shared))
        {
            return CodexSyncResult.Same;
        }

        var sharedUntouched = shared is null || (launchHash is not null && shared.Hash.AsSpan().SequenceEqual(launchHash));
        if (!session.IsNewerThan(shared) && !(session.LastRefresh is null && sharedUntouched))
        {
            return CodexSyncResult.SharedNewer;
        }

        AtomicFile.WriteAllBytes(sharedAuth, session.Bytes);
        return CodexSyncResult.Written;
    }

    /// <summary>
    /// The <c>last_refresh</c> a login written now must carry to be the newest copy: now, or just after
    /// the shared copy's own stamp when that is later (a clock that went back must not make a login older).
    /// Call it under the chain lock.
    /// </summary>
    public static DateTimeOffset LoginStamp(string sharedAuth, DateTimeOffset now)
    {
        CodexAuthCopy? current;
        try
        {
            current = CodexAuthCopy.Read(sharedAuth);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            current = null; // an unreadable copy is replaced by the login
        }

        return current?.LastRefresh is { } last && last >= now ? last.AddTicks(1) : now;
    }
}
