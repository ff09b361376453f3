using System.Text.Json;
using System.Text.Json.Nodes;
using AiSandbox.TokenRefresher.OAuth;
using Polly.Timeout;

namespace AiSandbox.TokenRefresher.Codex;

/// <summary>Issuer, client and limits of the Codex device-code login (baseline 7).</summary>
internal sealed record CodexLoginOptions(Uri Issuer, string ClientId, TimeSpan MaxWait)
{
    public const string DefaultIssuer = "https://auth.openai.com";
    public const string DefaultClientId = "app_EMoamEEZ73f0CkXaXp7hrann";

    public string At(string path) => Issuer.ToString().TrimEnd('/') + path;
}

/// <summary>
/// The device-code flow: ask for a user code, show it, poll until the person approves, exchange the
/// returned authorization code (with its PKCE verifier) for tokens, save <c>auth.json</c>. The user code
/// is meant to be shown; the authorization code, verifier and tokens never are.
/// </summary>
internal sealed class CodexDeviceLogin(IHttpClientFactory clients, CodexLoginOptions options, TimeProvider time, TextWriter stdout, TextWriter stderr)
{
    /// <summary>Runs the flow and saves into <paramref name="dir"/>; returns the exit code.</summary>
    public async Task<int> RunAsync(string dir, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(OAuthHttp.ClientName);

        var (status, start) = await PostJsonAsync(client, options.At("/api/accounts/deviceauth/usercode"),
            w => w.WriteString("client_id", options.ClientId), cancellationToken).ConfigureAwait(false);
        if (status is < 200 or > 299 || start is null)
        {
            return Fail($"device code request failed: HTTP {status}{Detail(start)}");
        }

        var deviceAuthId = Str(start["device_auth_id"]);
        var userCode = Str(start["user_code"]) ?? Str(start["usercode"]);
        if (deviceAuthId is null || userCode is null)
        {
            return Fail("device code response is missing device_auth_id or user_code");
        }

        var interval = Number(start["interval"]) is { } n && n >= 1 ? n : 5;
        stdout.WriteLine("Sign in with Device Code");
        stdout.WriteLine();
        stdout.WriteLine("1. Open this link in your browser and sign in to your account");
        stdout.WriteLine("   " + options.At("/codex/device"));
        stdout.WriteLine();
        stdout.WriteLine("2. Enter this one-time code (expires in 15 minutes)");
        stdout.WriteLine("   " + userCode);
        stdout.WriteLine();
        stdout.WriteLine("Device codes are a common phishing target. Never share this code.");
        stdout.Flush();
        stderr.WriteLine("Waiting for authorization...");
        stderr.Flush();

        var started = time.GetTimestamp();
        JsonObject? approved = null;
        while (approved is null)
        {
            if (time.GetElapsedTime(started) >= options.MaxWait)
            {
                return Fail($"device auth timed out after {(long)options.MaxWait.TotalSeconds}s");
            }

            await Task.Delay(TimeSpan.FromSeconds(interval), time, cancellationToken).ConfigureAwait(false);
            var (pollStatus, poll) = await PostJsonAsync(client, options.At("/api/accounts/deviceauth/token"), w =>
            {
                w.WriteString("device_auth_id", deviceAuthId);
                w.WriteString("user_code", userCode);
            }, cancellationToken).ConfigureAwait(false);
            if (pollStatus is >= 200 and <= 299)
            {
                approved = poll ?? [];
            }
            else if (pollStatus is not (403 or 404 or 0))
            {
                return Fail($"device auth failed: HTTP {pollStatus}{Detail(poll)}");
            }
        }

        var code = Str(approved["authorization_code"]);
        var verifier = Str(approved["code_verifier"]);
        if (code is null || verifier is null)
        {
            return Fail("device auth response is missing authorization_code or code_verifier");
        }

        var form = new FormUrlEncodedContent(
        [
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", options.At("/deviceauth/callback")),
            new("client_id", options.ClientId),
            new("code_verifier", verifier),
        ]);
        var (tokenStatus, tokens) = await SendAsync(client, options.At("/oauth/token"), form, cancellationToken).ConfigureAwait(false);
        var idToken = Str(tokens?["id_token"]);
        var access = Str(tokens?["access_token"]);
        var refresh = Str(tokens?["refresh_token"]);
        if (tokenStatus is < 200 or > 299 || idToken is null || access is null || refresh is null)
        {
            return Fail($"token exchange failed: HTTP {tokenStatus}{Detail(tokens)}");
        }

        string path;
        try
        {
            path = await CodexAuthFile.SaveAsync(dir, idToken, access, refresh, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            return Fail("cannot save auth.json: " + e.Message);
        }

        stdout.WriteLine($"Login successful! Credentials saved to {path}");
        return 0;
    }

    private int Fail(string message)
    {
        stderr.WriteLine("Error: " + message);
        return 1;
    }

    private static Task<(int Status, JsonObject? Body)> PostJsonAsync(HttpClient client, string url, Action<Utf8JsonWriter> body, CancellationToken ct)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return SendAsync(client, url, content, ct);
    }

    private static async Task<(int Status, JsonObject? Body)> SendAsync(HttpClient client, string url, HttpContent content, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            JsonObject? body = null;
            try
            {
                body = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
            }

            return ((int)response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return (0, null);
        }
        finally
        {
            content.Dispose();
        }
    }

    // Only the error words of a body, never its tokens.
    private static string Detail(JsonObject? body) =>
        body is null ? string.Empty : ": " + SecretRedactor.Redact(TokenResponseParser.ErrorMessage(body));

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0 ? v.GetValue<string>() : null;

    private static int? Number(JsonNode? node) => node is JsonValue v && v.GetValueKind() switch
    {
        JsonValueKind.Number => true,
        JsonValueKind.String => int.TryParse(v.GetValue<string>(), out _),
        _ => false,
    }
        ? (v.GetValueKind() == JsonValueKind.Number ? (int)v.GetValue<double>() : int.Parse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))
        : null;
}
