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

    /// <summary>The normal answer, after <see cref="OAuthTestServer.LateAnswerDelay"/>: slow, but within a client's attempt timeout.</summary>
    Late,

    // The faults below happen after the server did its job: the refresh token is spent and new tokens were
    // issued, but the client never gets them. A refresh grant only; other grants are answered normally.

    /// <summary>Rotates, then answers only once the client has closed the connection (it gave up), or after <see cref="OAuthTestServer.HangDuration"/>.</summary>
    RotateThenLate,

    /// <summary>Rotates, then answers 502 as a gateway whose upstream reply was lost.</summary>
    RotateThenBadGateway,

    /// <summary>Rotates, then answers 504 as a gateway that stopped waiting.</summary>
    RotateThenGatewayTimeout,

    /// <summary>Rotates, then closes the connection without a byte of answer.</summary>
    RotateThenClose,

    /// <summary>Rotates, then answers 200 with an empty <c>access_token</c> (the new refresh token is lost).</summary>
    RotateThenEmptyAccessToken,

    /// <summary>Rotates, then answers 200 with the new tokens and <c>"expires_in": 0</c>.</summary>
    RotateThenZeroLifetime,
}
