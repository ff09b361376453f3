namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>How a token-endpoint call ended, classified as the baseline does (6.5 step 4).</summary>
internal enum TokenOutcome
{
    Success,

    /// <summary>
    /// The request cannot have reached the server: no connection after every retry, or a stop before the
    /// next attempt. The refresh token is still good; the next cycle tries it again.
    /// </summary>
    NoResponse,

    /// <summary>
    /// The request may have reached the server and rotated the token, but no usable answer came back: the
    /// attempt timed out after sending, the connection ended after the request was written, or a 5xx
    /// (a gateway's 502/504 included). That refresh token must never be sent again.
    /// </summary>
    Uncertain,

    /// <summary>The body mentions <c>rate_limit_error</c>: wait for the next cycle.</summary>
    RateLimited,

    /// <summary>400 <c>invalid_grant</c>: the refresh token is spent or revoked; only a login helps.</summary>
    InvalidGrant,

    /// <summary>An answer without <c>access_token</c>.</summary>
    Failed,

    /// <summary><c>access_token</c> is there but unusable.</summary>
    Unparsable,
}

/// <summary>
/// One token-endpoint answer. Tokens are only in <see cref="Tokens"/>; <see cref="Error"/> and
/// <see cref="RedactedBody"/> are safe to log.
/// </summary>
internal sealed record TokenResult(TokenOutcome Outcome, int HttpStatus, IssuedTokens? Tokens = null, string? Error = null, string? RedactedBody = null)
{
    /// <summary>"000" for no HTTP answer at all, as curl reports it.</summary>
    public string StatusText => HttpStatus == 0 ? "000" : HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Tokens as the endpoint returned them.</summary>
internal sealed record IssuedTokens(string AccessToken, string? RefreshToken, long ExpiresInSeconds, string? Scope, string? IdToken = null)
{
    public override string ToString() => "IssuedTokens { [redacted] }";
}
