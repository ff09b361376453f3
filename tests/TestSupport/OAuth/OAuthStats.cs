namespace AiSandbox.TestSupport.OAuth;

/// <summary>Counters of what the server saw; a snapshot.</summary>
/// <remarks><see cref="SpentTokenRequests"/>: refresh requests with a token this server issued and had already
/// rotated (a client that sent the same refresh token twice); a subset of <see cref="InvalidGrants"/>.</remarks>
public sealed record OAuthStats(
    int TokenRequests,
    int RefreshRequests,
    int Refreshed,
    int InvalidGrants,
    int CodeExchanges,
    int PkceFailures,
    int FaultsServed,
    int DeviceCodeRequests,
    int DevicePolls,
    int SpentTokenRequests);
