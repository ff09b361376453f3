using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Timeout;

namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>Claude's token endpoint over the <see cref="OAuthHttp"/> pipeline, with the baseline's headers and JSON bodies.</summary>
internal sealed class ClaudeTokenEndpoint(IHttpClientFactory clients, Uri tokenUrl) : ITokenEndpoint
{
    public Task<TokenResult> RefreshAsync(string refreshToken, string scope, CancellationToken stopping) =>
        PostAsync(
            w =>
            {
                w.WriteString("grant_type", "refresh_token");
                w.WriteString("refresh_token", refreshToken);
                w.WriteString("client_id", ClaudeOAuth.ClientId);
                w.WriteString("scope", scope);
            },
            [refreshToken],
            stopping);

    public Task<TokenResult> ExchangeCodeAsync(string code, string verifier, string state, CancellationToken cancellationToken) =>
        PostAsync(
            w =>
            {
                w.WriteString("grant_type", "authorization_code");
                w.WriteString("code", code);
                w.WriteString("redirect_uri", ClaudeOAuth.RedirectUri);
                w.WriteString("client_id", ClaudeOAuth.ClientId);
                w.WriteString("code_verifier", verifier);
                w.WriteString("state", state);
            },
            [code, verifier, state],
            cancellationToken);

    // The stopping token only reaches the retry policy: a request on the wire is never cancelled, because the
    // server may rotate the token and answer after we gave up; its own attempt timeout bounds it.
    private async Task<TokenResult> PostAsync(Action<Utf8JsonWriter> body, string[] secrets, CancellationToken stopping)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        // Each attempt needs its own request message, so the content is built per send by the handler chain;
        // a ByteArrayContent can be re-sent by Polly because it is buffered.
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new ByteArrayContent(buffer.WrittenSpan.ToArray()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Accept", ClaudeOAuth.Accept);
        request.Headers.TryAddWithoutValidation("User-Agent", ClaudeOAuth.UserAgent);
        request.Headers.AcceptEncoding.ParseAdd("gzip");

        // A fresh connection per request: SocketsHttpHandler silently re-sends a request whose pooled
        // connection closed before any answer, which could spend the same refresh token twice.
        request.Headers.ConnectionClose = true;
        request.SetPolicyExecutionContext(new Context { [OAuthHttp.StoppingKey] = stopping });

        int status;
        string text;
        try
        {
            var client = clients.CreateClient(OAuthHttp.ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None).ConfigureAwait(false);
            status = (int)response.StatusCode;
            text = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (OAuthHttp.IsConnectFailure(e))
        {
            return new TokenResult(TokenOutcome.NoResponse, 0, Error: SafeMessage(e));
        }
        catch (HttpRequestException e)
        {
            // The connection ended after the request was written (or while it was): it may have been processed.
            return new TokenResult(TokenOutcome.Uncertain, 0, Error: SafeMessage(e));
        }
        catch (TimeoutRejectedException)
        {
            return new TokenResult(TokenOutcome.Uncertain, 0, Error: "timed out");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Thrown by the retry policy before it connects again: this attempt never reached the server.
            return new TokenResult(TokenOutcome.NoResponse, 0, Error: "stopped before retrying");
        }
        catch (TaskCanceledException)
        {
            return new TokenResult(TokenOutcome.Uncertain, 0, Error: "timed out");
        }

        return TokenResponseParser.Classify(status, text, secrets);
    }

    // HttpRequestException texts name the host and the socket error, never the body we sent.
    private static string SafeMessage(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.Unknown ? e.Message : e.HttpRequestError.ToString();
}

/// <summary>Turns a token-endpoint answer into a <see cref="TokenResult"/> (baseline 6.5 step 4).</summary>
internal static class TokenResponseParser
{
    /// <summary>The lifetime taken when an answer has no usable <c>expires_in</c> (seconds).</summary>
    public const long DefaultExpiresIn = 3600;

    public static TokenResult Classify(int status, string text, string[] secrets)
    {
        if (status >= 500 && !text.Contains("rate_limit_error", StringComparison.Ordinal))
        {
            // A gateway's 502/504 or an error after the token service did its part: the token may be rotated.
            var error = string.IsNullOrWhiteSpace(text) ? "empty response" : SecretRedactor.Redact(text, secrets);
            return new TokenResult(TokenOutcome.Uncertain, status, Error: error);
        }

        var processed = status is >= 200 and < 300;
        if (string.IsNullOrWhiteSpace(text))
        {
            return new TokenResult(processed ? TokenOutcome.Uncertain : TokenOutcome.NoResponse, status, Error: "empty response");
        }

        JsonObject? body = null;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
        }

        if (text.Contains("rate_limit_error", StringComparison.Ordinal))
        {
            return new TokenResult(TokenOutcome.RateLimited, status, Error: "rate_limit_error");
        }

        var redacted = SecretRedactor.Redact(text, secrets);
        if (body is null || !body.ContainsKey("access_token"))
        {
            var message = body is null ? "unknown" : ErrorMessage(body);
            // A 2xx says the request was processed, so the token may be spent even though no tokens came back.
            var outcome = status == 400 && body is not null && ErrorCode(body) == "invalid_grant" ? TokenOutcome.InvalidGrant
                : processed ? TokenOutcome.Uncertain : TokenOutcome.Failed;
            return new TokenResult(outcome, status, Error: SecretRedactor.Redact(message, secrets), RedactedBody: redacted);
        }

        if (body["access_token"] is not JsonValue access || !access.TryGetValue(out string? accessToken) || string.IsNullOrEmpty(accessToken))
        {
            // Processed without usable tokens: the refresh token may be spent, so it is not sent again.
            return new TokenResult(processed ? TokenOutcome.Uncertain : TokenOutcome.Unparsable, status, Error: "access_token is not a non-empty string",
                RedactedBody: redacted);
        }

        var refresh = body["refresh_token"] is JsonValue r && r.TryGetValue(out string? rt) && rt.Length > 0 ? rt : null;
        long expiresIn = DefaultExpiresIn;
        if (body["expires_in"] is JsonValue e)
        {
            if (e.TryGetValue(out long l))
            {
                expiresIn = l;
            }
            else if (e.TryGetValue(out double d))
            {
                expiresIn = (long)d;
            }
            else if (e.TryGetValue(out string? s) && long.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                expiresIn = parsed;
            }
        }

        if (expiresIn <= 0)
        {
            // The tokens are real and the old refresh token is spent: keep them, with the lifetime an answer
            // without expires_in gets (the refresher then refreshes at half of it, never in a storm).
            expiresIn = DefaultExpiresIn;
        }

        var scope = body["scope"] is JsonValue sv && sv.TryGetValue(out string? sc) ? sc : null;
        var idToken = body["id_token"] is JsonValue iv && iv.TryGetValue(out string? it) ? it : null;
        return new TokenResult(TokenOutcome.Success, status, new IssuedTokens(accessToken, refresh, expiresIn, scope, idToken));
    }

    /// <summary>First of error.message, message, error_description, string error, JSON of error; else "unknown".</summary>
    internal static string ErrorMessage(JsonObject body)
    {
        if (body["error"] is JsonObject err && Str(err["message"]) is { } m1)
        {
            return m1;
        }

        return Str(body["message"]) ?? Str(body["error_description"]) ?? Str(body["error"]) ??
            (body["error"] is { } other ? other.ToJsonString() : "unknown");
    }

    private static string? ErrorCode(JsonObject body) =>
        Str(body["error"]) ?? (body["error"] is JsonObject err ? Str(err["type"]) : null);

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 ? s : null;
}
