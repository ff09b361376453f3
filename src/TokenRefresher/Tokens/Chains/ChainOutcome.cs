namespace AiSandbox.TokenRefresher.Chains;

/// <summary>What one pass over one served copy did.</summary>
public enum ChainState
{
    /// <summary>Not in the refresh window; nothing written (or only a newer copy adopted).</summary>
    Valid,

    /// <summary>New tokens from the endpoint were written.</summary>
    Refreshed,

    /// <summary>The file has no oauth key: not ours, skipped silently.</summary>
    Skipped,

    /// <summary>No refresh token to refresh with.</summary>
    NoRefreshToken,

    /// <summary>Rate limited: retried next cycle.</summary>
    RateLimited,

    /// <summary>The refresh token was rejected (invalid_grant): only a login helps.</summary>
    NeedsLogin,

    /// <summary>The endpoint failed or did not answer, a file was unusable, or the lock was not free in time.</summary>
    Failed,

    /// <summary>A stop came before this chain's refresh began; the next run does it.</summary>
    Stopped,
}

/// <summary>The result for one served copy of a chain.</summary>
/// <param name="Chain">The chain.</param>
/// <param name="Path">The served copy.</param>
/// <param name="State">What happened.</param>
/// <param name="ExpiresAt">Epoch ms of the copy's expiry afterwards, when known.</param>
/// <param name="AdoptedFrom">A newer copy whose tokens were taken instead of refreshing, if any.</param>
/// <param name="DueAt">When the copy enters its refresh window, when the refresher worked it out; else
/// <see cref="ExpiresAt"/> minus REFRESH_BEFORE.</param>
public sealed record ChainOutcome(Chain Chain, string Path, ChainState State, long? ExpiresAt = null, string? AdoptedFrom = null, DateTimeOffset? DueAt = null)
{
    /// <summary>True for the states in which the chain could not be brought up to date.</summary>
    public bool IsFailure => State is ChainState.RateLimited or ChainState.NeedsLogin or ChainState.Failed or ChainState.NoRefreshToken;
}
