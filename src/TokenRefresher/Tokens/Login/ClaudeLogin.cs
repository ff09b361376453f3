using AiSandbox.Common.IO;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Credentials;
using AiSandbox.TokenRefresher.OAuth;

namespace AiSandbox.TokenRefresher.Login;

/// <summary>What to log in and where to save it.</summary>
/// <param name="Options">Endpoints, directories and the rate-limit back-off.</param>
/// <param name="Profile">The profile; null writes <c>.credentials.json</c>.</param>
/// <param name="TargetDir">Where the credentials file goes; default <see cref="RefresherOptions.CredentialsDir"/>.</param>
public sealed record ClaudeLoginRequest(RefresherOptions Options, string? Profile, string? TargetDir = null)
{
    public string TargetPath => Path.Combine(Path.GetFullPath(TargetDir ?? Options.CredentialsDir), Chain.SettingsFileName(Profile));
}

/// <summary>The end of a login: exit code (0 ok, 1 failed) and the file written, if any.</summary>
public sealed record LoginResult(int ExitCode, string? SavedPath, long? ExpiresAt);

/// <summary>
/// The interactive PKCE login (baseline 6.7): print the authorize URL, read the code or callback URL,
/// exchange it (backing off on rate_limit_error), then save the credentials atomically (0600) under the
/// chain lock and clear any needs-login mark. Talks to the person through the given reader and writer, so
/// the host shim and tests can drive it in-process.
/// </summary>
public static class ClaudeLogin
{
    public const int MaxRateLimitedAttempts = 5;

    public static Task<LoginResult> RunAsync(ClaudeLoginRequest request, TextReader input, TextWriter output, TimeProvider time,
        CancellationToken cancellationToken = default) =>
        RunAsync(request, input, output, time, endpoint: null, cancellationToken);

    internal static async Task<LoginResult> RunAsync(ClaudeLoginRequest request, TextReader input, TextWriter output, TimeProvider time,
        ITokenEndpoint? endpoint, CancellationToken cancellationToken)
    {
        var options = request.Options;
        var pkce = Pkce.Create();
        output.WriteLine("Open this URL in your browser to sign in:");
        output.WriteLine();
        output.WriteLine("  " + AuthorizeUrl(options.AuthorizeUrl, pkce));
        output.WriteLine();
        output.WriteLine("After authorizing, paste the code or the full callback URL:");
        output.Write("Code: ");
        output.Flush();

        var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var code = ExtractCode(line ?? string.Empty);
        if (code.Length == 0)
        {
            output.WriteLine("Error: no code provided");
            return new LoginResult(1, null, null);
        }

        OwnedHttpClientFactory? owned = null;
        try
        {
            if (endpoint is null)
            {
                owned = OAuthHttp.CreateFactory(options);
                endpoint = new ClaudeTokenEndpoint(owned, options.TokenUrl);
            }

            TokenResult result;
            var attempt = 0;
            var delay = options.LoginRateLimitDelay;
            while (true)
            {
                result = await endpoint.ExchangeCodeAsync(code, pkce.Verifier, pkce.State, cancellationToken).ConfigureAwait(false);
                if (result.Outcome != TokenOutcome.RateLimited)
                {
                    break;
                }

                attempt++;
                if (attempt >= MaxRateLimitedAttempts)
                {
                    output.WriteLine($"Error: still rate limited after {MaxRateLimitedAttempts} attempts");
                    return new LoginResult(1, null, null);
                }

                output.WriteLine($"Rate limited, retrying in {(long)delay.TotalSeconds}s... (attempt {attempt}/{MaxRateLimitedAttempts})");
                output.Flush();
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }

            switch (result.Outcome)
            {
                case TokenOutcome.Success when !string.IsNullOrEmpty(result.Tokens!.RefreshToken):
                    break;
                case TokenOutcome.Success:
                    output.WriteLine("Error: the token response has no refresh_token");
                    return new LoginResult(1, null, null);
                case TokenOutcome.NoResponse:
                    output.WriteLine("Error: token exchange request failed (no response)");
                    return new LoginResult(1, null, null);
                default:
                    output.WriteLine("Error: " + (result.Error is { Length: > 0 } e && e != "unknown" ? e : result.RedactedBody ?? "unknown"));
                    return new LoginResult(1, null, null);
            }

            var tokens = result.Tokens!;
            var expiresAt = time.GetUtcNow().ToUnixTimeMilliseconds() + tokens.ExpiresInSeconds * 1000;
            var scopes = tokens.Scope is { Length: > 0 } s ? s.Split(' ', StringSplitOptions.RemoveEmptyEntries) : ClaudeOAuth.DefaultScopes;
            var target = request.TargetPath;
            var saved = ClaudeCredentials.Create(tokens.AccessToken, tokens.RefreshToken!, expiresAt, scopes);

            var chain = Chain.ForProfile(Path.GetDirectoryName(target)!, request.Profile);
            try
            {
                using (await ChainLock.AcquireAsync(chain, options.LockTimeout, time, cancellationToken).ConfigureAwait(false))
                {
                    // A login is the one write allowed to replace a later expiresAt: the person asked for these tokens.
                    AtomicFile.WriteAllBytes(target, saved.ToUtf8());
                    NeedsLoginMark.Clear(chain);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException)
            {
                output.WriteLine("Error: cannot save credentials: " + ex.Message);
                return new LoginResult(1, null, null);
            }

            output.WriteLine($"Login successful! Credentials saved to {Path.GetFileName(target)}");
            output.WriteLine($"Token expires at {ExpiryText.Human(expiresAt)}");
            return new LoginResult(0, target, expiresAt);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>The authorize URL with the baseline's parameters in the baseline's order (6.7 step 3).</summary>
    internal static string AuthorizeUrl(Uri authorize, Pkce pkce)
    {
        var scope = string.Join('+', ClaudeOAuth.DefaultScopes.Select(s => s.Replace(":", "%3A", StringComparison.Ordinal)));
        var query = "code=true" +
            "&client_id=" + ClaudeOAuth.ClientId +
            "&response_type=code" +
            "&redirect_uri=" + Uri.EscapeDataString(ClaudeOAuth.RedirectUri) +
            "&scope=" + scope +
            "&code_challenge=" + pkce.Challenge +
            "&code_challenge_method=S256" +
            "&state=" + pkce.State;
        var baseUrl = authorize.ToString();
        return baseUrl + (baseUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
    }

    /// <summary>A bare code, or the <c>code=</c> value of a callback URL; anything from '#' on is dropped.</summary>
    public static string ExtractCode(string input)
    {
        var text = input.Trim();
        var at = text.IndexOf("code=", StringComparison.Ordinal);
        if (at >= 0)
        {
            text = text[(at + 5)..];
            var end = text.IndexOfAny(['&', '#']);
            if (end >= 0)
            {
                text = text[..end];
            }
        }

        var hash = text.IndexOf('#', StringComparison.Ordinal);
        return (hash >= 0 ? text[..hash] : text).Trim();
    }
}
