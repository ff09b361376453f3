namespace AiSandbox.TestSupport.OAuth;

/// <summary>What the token endpoint answers instead of doing its job, for the next N requests.</summary>
public enum OAuthFault
{
    /// <summary>429 with an Anthropic-style <c>rate_limit_error</c> body.</summary>
    RateLimit,

    /// <summary>500 with a plain-text body.</summary>
    ServerError,

    /// <summary>Reads the request and never answers (until <see cref="OAuthTestServer.HangDuration"/> or disposal).</summary>
    Hang,

    /// <summary>200 with a body that is not JSON.</summary>
    Garbage,

    /// <summary>200 with JSON that has no <c>access_token</c>.</summary>
    NoAccessToken,
}
