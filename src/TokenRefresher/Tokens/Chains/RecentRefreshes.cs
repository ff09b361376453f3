namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// When this process last refreshed each chain and the expiry it wrote. A long-running refresher (the
/// daemon) decides from it that a token it just got is not due again at once: the refresh window of a token
/// whose lifetime is not longer than REFRESH_BEFORE (or an answer without expires_in) becomes half that
/// lifetime, and no chain is refreshed twice within <see cref="RefresherOptions.MinimumRefreshInterval"/>.
/// </summary>
internal sealed class RecentRefreshes
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Refresh> _byChain = new(StringComparer.Ordinal);

    public Refresh? For(Chain chain)
    {
        lock (_gate)
        {
            return _byChain.TryGetValue(chain.LockPath, out var r) ? r : null;
        }
    }

    public void Record(Chain chain, DateTimeOffset at, long expiresAtMs)
    {
        lock (_gate)
        {
            _byChain[chain.LockPath] = new Refresh(at, expiresAtMs);
        }
    }

    /// <param name="At">When the new tokens arrived.</param>
    /// <param name="ExpiresAtMs">The <c>expiresAt</c> written with them (epoch ms).</param>
    internal readonly record struct Refresh(DateTimeOffset At, long ExpiresAtMs)
    {
        public TimeSpan Lifetime => TimeSpan.FromMilliseconds(ExpiresAtMs - At.ToUnixTimeMilliseconds());
    }
}
