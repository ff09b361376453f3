namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>How a token-endpoint call ended, classified as the baseline does (6.5 step 4).</summary>
internal enum TokenOutcome
{
    Success,

    /// <summary>No answer at all (network error or timeout after every retry), or an empty body.</summary>
    NoResponse,

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
