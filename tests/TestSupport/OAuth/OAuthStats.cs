namespace AiSandbox.TestSupport.OAuth;

/// <summary>Counters of what the server saw; a snapshot.</summary>
public sealed record OAuthStats(
    int TokenRequests,
    int RefreshRequests,
    int Refreshed,
    int InvalidGrants,
    int CodeExchanges,
    int PkceFailures,
    int FaultsServed,
    int DeviceCodeRequests,
    int DevicePolls);
