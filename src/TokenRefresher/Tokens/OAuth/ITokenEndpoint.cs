namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>Claude's token endpoint: the narrow seam between chain logic and HTTP.</summary>
internal interface ITokenEndpoint
{
    /// <summary>POST <c>grant_type=refresh_token</c> (baseline 6.5 step 3). Never throws for HTTP outcomes.</summary>
    /// <param name="refreshToken">The chain's newest refresh token.</param>
    /// <param name="scope">Space-separated scopes.</param>
    /// <param name="stopping">Stops retries that have not started; never a request that was sent, which is
    /// bounded by its own attempt timeout so its answer can be written.</param>
    Task<TokenResult> RefreshAsync(string refreshToken, string scope, CancellationToken stopping);

    /// <summary>POST <c>grant_type=authorization_code</c> with the PKCE verifier (baseline 6.7 step 6).</summary>
    Task<TokenResult> ExchangeCodeAsync(string code, string verifier, string state, CancellationToken cancellationToken);
}
