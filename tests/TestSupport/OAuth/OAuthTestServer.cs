using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiSandbox.TestSupport.OAuth;

/// <summary>
/// A real HTTP/1.1 OAuth server on loopback that behaves like Claude's and OpenAI's where it matters:
/// tokens with <c>expires_in</c>; single-use rotating refresh tokens (a spent one gets 400 invalid_grant);
/// PKCE checked on the code exchange; single-use codes; on request 429 rate_limit_error, 500, a hang,
/// garbage or a body without access_token; faults after the token was rotated (late answer, 502, 504, a
/// closed connection) and a <see cref="Rotated"/> hook that runs between rotating and answering; the Codex device-code endpoints with JWT id_tokens carrying the
/// <c>https://api.openai.com/auth</c> → <c>chatgpt_account_id</c> claim. Control endpoints under
/// <c>/_control/</c> let another process (see tests/OAuthServer) drive it.
/// </summary>
public sealed class OAuthTestServer : IAsyncDisposable, IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly object _gate = new();
    private readonly Queue<OAuthFault> _faults = new();
    private readonly Dictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CodeGrant> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceGrant> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _latestAccess = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private int _tokenRequests, _refreshRequests, _refreshed, _invalidGrants, _codeExchanges, _pkceFailures, _faultsServed, _deviceCodes, _devicePolls, _spentTokenRequests;

    private OAuthTestServer(TcpListener listener, string advertisedHost)
    {
        _listener = listener;
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        BaseUrl = new Uri($"http://{advertisedHost}:{port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Starts on <paramref name="address"/> (default 127.0.0.1) and a free port (0), or the given one.</summary>
    public static OAuthTestServer Start(IPAddress? address = null, int port = 0)
    {
        var ip = address ?? IPAddress.Loopback;
        var listener = new TcpListener(ip, port);
        listener.Start(backlog: 256);
        var host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : ip.ToString();
        return new OAuthTestServer(listener, host);
    }

    public Uri BaseUrl { get; }

    /// <summary>For <c>CLAUDE_OAUTH_TOKEN_URL</c>.</summary>
    public string TokenUrl => new Uri(BaseUrl, "v1/oauth/token").ToString();

    /// <summary>For <c>CLAUDE_OAUTH_AUTHORIZE_URL</c>.</summary>
    public string AuthorizeUrl => new Uri(BaseUrl, "oauth/authorize").ToString();

    /// <summary>For <c>CODEX_ISSUER</c> (no trailing slash).</summary>
    public string Issuer => BaseUrl.ToString().TrimEnd('/');

    /// <summary><c>expires_in</c> of new access tokens (default 8 h, like Claude's).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Leave <c>expires_in</c> out of token answers (the client must pick a lifetime itself).</summary>
    public bool OmitExpiresIn { get; set; }

    /// <summary>How long a <see cref="OAuthFault.Hang"/> holds the request (default 10 min; disposal ends it).</summary>
    public TimeSpan HangDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a <see cref="OAuthFault.Late"/> answer waits (default 2 s).</summary>
    public TimeSpan LateAnswerDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A deterministic fault plan: called with the 1-based number of each token-endpoint request that finds no
    /// injected fault queued; its answer (null: none) is served instead. A soak uses it to make every Nth
    /// answer late or failed, the same way on every run.
    /// </summary>
    public Func<int, OAuthFault?>? FaultSchedule { get; set; }

    /// <summary>Delay before every token-endpoint answer, to widen race windows (default none).</summary>
    public TimeSpan TokenLatency { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Awaited after a refresh grant rotated the token and before anything is sent back (answer or fault):
    /// the moment a client holds no usable token but the server has spent the old one. A test stops or kills
    /// the client here. Null: nothing.
    /// </summary>
    public Func<Task>? Rotated { get; set; }

    /// <summary>Device-code polls answered 403 (pending) before the approval (default 1).</summary>
    public int DevicePendingPolls { get; set; } = 1;

    /// <summary>The account id put into Codex id_tokens.</summary>
    public string ChatGptAccountId { get; set; } = "acct-test-0001";

    public OAuthStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new OAuthStats(_tokenRequests, _refreshRequests, _refreshed, _invalidGrants, _codeExchanges, _pkceFailures,
                    _faultsServed, _deviceCodes, _devicePolls, _spentTokenRequests);
            }
        }
    }

    /// <summary>Every token, code and verifier issued or received: none may appear in any output line.</summary>
    public IReadOnlyCollection<string> Secrets => _secrets.Keys.ToList();

    /// <summary>Issues a fresh chain for <paramref name="profile"/>, as a completed login would.</summary>
    public IssuedCredentials IssueCredentials(string profile, TimeSpan? lifetime = null)
    {
        lock (_gate)
        {
            var (access, refresh, expiresAt) = IssueLocked(profile, lifetime ?? TokenLifetime);
            return new IssuedCredentials(profile, access, refresh, expiresAt);
        }
    }

    /// <summary>The next <paramref name="times"/> token-endpoint requests get <paramref name="fault"/> instead of an answer.</summary>
    public void InjectFault(OAuthFault fault, int times = 1)
    {
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _faults.Enqueue(fault);
            }
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>True when the server issued this access token and it has not expired.</summary>
    public bool IsAccessTokenValid(string accessToken)
    {
        lock (_gate)
        {
            return _accessTokens.TryGetValue(accessToken, out var exp) && exp > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }
    }

    /// <summary>True when this refresh token was issued and not yet spent.</summary>
    public bool IsRefreshTokenLive(string refreshToken)
    {
        lock (_gate)
        {
            return _refreshTokens.TryGetValue(refreshToken, out var g) && !g.Spent;
        }
    }

    /// <summary>The access token most recently issued for a profile.</summary>
    public string? LatestAccessToken(string profile)
    {
        lock (_gate)
        {
            return _latestAccess.GetValueOrDefault(profile);
        }
    }

    /// <summary>
    /// Plays the person approving in the browser: reads <c>code_challenge</c> and <c>state</c> from the
    /// authorize URL a login printed and returns what the callback page shows (<c>code#state</c>).
    /// </summary>
    public string Authorize(string authorizeUrl, string profile = "login")
    {
        var q = authorizeUrl.IndexOf('?', StringComparison.Ordinal);
        var query = MiniHttp.ParseForm(q >= 0 ? authorizeUrl[(q + 1)..] : string.Empty);
        if (!query.TryGetValue("code_challenge", out var challenge) || query.GetValueOrDefault("code_challenge_method") != "S256")
        {
            throw new InvalidOperationException("the authorize URL has no S256 code_challenge");
        }

        var code = NewSecret("code");
        lock (_gate)
        {
            _codes[code] = new CodeGrant(challenge, profile, DeviceCode: false);
        }

        return code + "#" + query.GetValueOrDefault("state", string.Empty);
    }

    /// <summary>Fails with a description (never the secret itself) when a line contains a secret.</summary>
    public void AssertNoSecrets(IEnumerable<string> lines, string what = "output")
    {
        var secrets = _secrets.ToArray();
        var n = 0;
        foreach (var line in lines)
        {
            n++;
            foreach (var (secret, kind) in secrets)
            {
                if (line.Contains(secret, StringComparison.Ordinal))
                {
                    throw new Xunit.Sdk.XunitException($"{what} line {n} contains a {kind} (value withheld)");
                }
            }
        }
    }

    /// <summary>A well-formed unsigned JWT like OpenAI's id_token, with the ChatGPT account claim.</summary>
    public string IdToken(string? accountId = null)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = "user-test",
            ["aud"] = "app_test",
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["email"] = "test@example.com",
            ["https://api.openai.com/auth"] = new JsonObject { ["chatgpt_account_id"] = accountId ?? ChatGptAccountId, ["chatgpt_plan_type"] = "pro" },
        };
        var jwt = B64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + B64(payload.ToJsonString()) + "." + B64(NewSecret("sig"));
        _secrets[jwt] = "id_token";
        return jwt;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await MiniHttp.ReadAsync(stream, _stop.Token).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }

                var response = await HandleAsync(request, stream).ConfigureAwait(false);
                if (response is not null)
                {
                    await MiniHttp.WriteAsync(stream, response, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Null means "hang": close without answering once the hang ends.</summary>
    private async Task<MiniHttpResponse?> HandleAsync(MiniHttpRequest request, NetworkStream stream)
    {
        if (request.Path.StartsWith("/_control/", StringComparison.Ordinal))
        {
            return Control(request);
        }

        switch (request.Method, request.Path)
        {
            case ("POST", "/v1/oauth/token" or "/oauth/token"):
                return await TokenAsync(request, stream).ConfigureAwait(false);
            case ("POST", "/api/accounts/deviceauth/usercode"):
                return DeviceUserCode(request);
            case ("POST", "/api/accounts/deviceauth/token"):
                return DevicePoll(request);
            case ("GET", "/oauth/authorize" or "/codex/device"):
                return MiniHttpResponse.Text(200, "sign in here");
            default:
                return MiniHttpResponse.Json(404, "{\"error\":\"not_found\"}");
        }
    }

    private async Task<MiniHttpResponse?> TokenAsync(MiniHttpRequest request, NetworkStream stream)
    {
        OAuthFault? fault = null;
        lock (_gate)
        {
            _tokenRequests++;
            if (_faults.Count > 0)
            {
                fault = _faults.Dequeue();
                _faultsServed++;
            }
            else if (FaultSchedule?.Invoke(_tokenRequests) is { } planned)
            {
                fault = planned;
                _faultsServed++;
            }
        }

        if (TokenLatency > TimeSpan.Zero)
        {
            await Task.Delay(TokenLatency, _stop.Token).ConfigureAwait(false);
        }

        switch (fault)
        {
            case OAuthFault.Late:
                await Task.Delay(LateAnswerDelay, _stop.Token).ConfigureAwait(false);
                break;
            case OAuthFault.RateLimit:
                return MiniHttpResponse.Json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Rate limited. Please try again later.\"}}");
            case OAuthFault.ServerError:
                return MiniHttpResponse.Text(500, "upstream connect error or disconnect/reset before headers");
            case OAuthFault.Garbage:
                return new MiniHttpResponse(200, "<html><body>\u0001\u0002 not json at all", "text/html");
            case OAuthFault.NoAccessToken:
                return MiniHttpResponse.Json(200, "{\"token_type\":\"Bearer\",\"expires_in\":28800,\"error\":{\"message\":\"token service degraded\"}}");
            case OAuthFault.Hang:
                try
                {
                    await Task.Delay(HangDuration, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                return null;
        }

        var form = ParseBody(request);
        var grant = form.GetValueOrDefault("grant_type");
        if (grant == "refresh_token")
        {
            var (answer, rotated) = Refresh(form.GetValueOrDefault("refresh_token") ?? string.Empty);
            if (!rotated)
            {
                return answer;
            }

            if (Rotated is { } hook)
            {
                await hook().ConfigureAwait(false);
            }

            switch (fault)
            {
                case OAuthFault.RotateThenLate:
                    await WaitForClientToGoAsync(stream).ConfigureAwait(false);
                    return answer;
                case OAuthFault.RotateThenBadGateway:
                    return MiniHttpResponse.Text(502, "<html><body>502 Bad Gateway</body></html>");
                case OAuthFault.RotateThenGatewayTimeout:
                    return MiniHttpResponse.Text(504, "<html><body>504 Gateway Time-out</body></html>");
                case OAuthFault.RotateThenClose:
                    return null;
                case OAuthFault.RotateThenEmptyAccessToken:
                    return MiniHttpResponse.Json(200, "{\"token_type\":\"Bearer\",\"access_token\":\"\",\"expires_in\":28800}");
                case OAuthFault.RotateThenZeroLifetime:
                    var body = (JsonObject)JsonNode.Parse(answer.Body)!;
                    body["expires_in"] = 0;
                    return answer with { Body = body.ToJsonString() };
                default:
                    return answer;
            }
        }

        if (grant == "authorization_code")
        {
            return ExchangeCode(form);
        }

        return MiniHttpResponse.Json(400, "{\"error\":\"unsupported_grant_type\"}");
    }

    private (MiniHttpResponse Answer, bool Rotated) Refresh(string refreshToken)
    {
        lock (_gate)
        {
            _refreshRequests++;
            if (refreshToken.Length > 0)
            {
                _secrets.TryAdd(refreshToken, "refresh token");
            }

            if (!_refreshTokens.TryGetValue(refreshToken, out var g) || g.Spent)
            {
                _invalidGrants++;
                if (g is { Spent: true })
                {
                    _spentTokenRequests++;
                }

                return (MiniHttpResponse.Json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token not found or invalid\"}"), false);
            }

            _refreshTokens[refreshToken] = g with { Spent = true };
            _refreshed++;
            var (access, refresh, _) = IssueLocked(g.Profile, TokenLifetime);
            return (MiniHttpResponse.Json(200, TokenJson(access, refresh, null)), true);
        }
    }

    /// <summary>Returns once the client closed its side (it gave up waiting), or after <see cref="HangDuration"/>.</summary>
    private async Task WaitForClientToGoAsync(NetworkStream stream)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(HangDuration);
        var buffer = new byte[512];
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private MiniHttpResponse ExchangeCode(Dictionary<string, string> form)
    {
        var code = form.GetValueOrDefault("code") ?? string.Empty;
        var verifier = form.GetValueOrDefault("code_verifier") ?? string.Empty;
        if (verifier.Length > 0)
        {
            _secrets.TryAdd(verifier, "PKCE verifier");
        }

        lock (_gate)
        {
            _codeExchanges++;
            if (!_codes.TryGetValue(code, out var grant))
            {
                return MiniHttpResponse.Json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid authorization code\"}");
            }

            _codes.Remove(code);
            var expected = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(grant.Challenge)))
            {
                _pkceFailures++;
                return MiniHttpResponse.Json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"PKCE verification failed\"}");
            }

            var (access, refresh, _) = IssueLocked(grant.Profile, TokenLifetime);
            return MiniHttpResponse.Json(200, TokenJson(access, refresh, grant.DeviceCode ? IdToken() : null));
        }
    }

    private MiniHttpResponse DeviceUserCode(MiniHttpRequest request)
    {
        var body = ParseBody(request);
        if (string.IsNullOrEmpty(body.GetValueOrDefault("client_id")))
        {
            return MiniHttpResponse.Json(400, "{\"error\":{\"message\":\"client_id is required\"}}");
        }

        var id = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var userCode = $"{RandomNumberGenerator.GetInt32(1000, 9999)}-{RandomNumberGenerator.GetInt32(1000, 9999)}";
        lock (_gate)
        {
            _deviceCodes++;
            _devices[id] = new DeviceGrant(userCode, 0);
        }

        return MiniHttpResponse.Json(200, new JsonObject { ["device_auth_id"] = id, ["user_code"] = userCode, ["interval"] = "1" }.ToJsonString());
    }

    private MiniHttpResponse DevicePoll(MiniHttpRequest request)
    {
        var body = ParseBody(request);
        var id = body.GetValueOrDefault("device_auth_id") ?? string.Empty;
        lock (_gate)
        {
            _devicePolls++;
            if (!_devices.TryGetValue(id, out var device) || device.UserCode != body.GetValueOrDefault("user_code"))
            {
                return MiniHttpResponse.Json(400, "{\"error\":{\"message\":\"unknown device code\"}}");
            }

            if (device.Polls < DevicePendingPolls)
            {
                _devices[id] = device with { Polls = device.Polls + 1 };
                return MiniHttpResponse.Json(403, "{\"error\":{\"message\":\"authorization pending\"}}");
            }

            _devices.Remove(id);
            var verifier = NewSecret("verifier");
            var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var code = NewSecret("devcode");
            _codes[code] = new CodeGrant(challenge, "codex", DeviceCode: true);
            return MiniHttpResponse.Json(200, new JsonObject
            {
                ["authorization_code"] = code,
                ["code_challenge"] = challenge,
                ["code_verifier"] = verifier,
            }.ToJsonString());
        }
    }

    private MiniHttpResponse Control(MiniHttpRequest request)
    {
        var q = request.Query;
        switch (request.Path)
        {
            case "/_control/stats":
                var s = Stats;
                return MiniHttpResponse.Json(200, new JsonObject
                {
                    ["tokenRequests"] = s.TokenRequests, ["refreshRequests"] = s.RefreshRequests, ["refreshed"] = s.Refreshed,
                    ["invalidGrants"] = s.InvalidGrants, ["codeExchanges"] = s.CodeExchanges, ["pkceFailures"] = s.PkceFailures,
                    ["faultsServed"] = s.FaultsServed, ["deviceCodeRequests"] = s.DeviceCodeRequests, ["devicePolls"] = s.DevicePolls,
                    ["spentTokenRequests"] = s.SpentTokenRequests,
                }.ToJsonString());
            case "/_control/fault":
                if (!Enum.TryParse<OAuthFault>((q.GetValueOrDefault("kind") ?? string.Empty).Replace("_", string.Empty, StringComparison.Ordinal), true, out var fault))
                {
                    return MiniHttpResponse.Json(400, "{\"error\":\"kind must be rate_limit, server_error, hang, garbage, no_access_token, late, rotate_then_late, rotate_then_bad_gateway, rotate_then_gateway_timeout or rotate_then_close\"}");
                }

                InjectFault(fault, int.TryParse(q.GetValueOrDefault("times"), out var t) ? t : 1);
                return MiniHttpResponse.Json(200, "{\"ok\":true}");
            case "/_control/clear":
                ClearFaults();
                return MiniHttpResponse.Json(200, "{\"ok\":true}");
            case "/_control/lifetime":
                if (!int.TryParse(q.GetValueOrDefault("seconds"), out var secs) || secs < 1)
                {
                    return MiniHttpResponse.Json(400, "{\"error\":\"seconds must be a positive integer\"}");
                }

                TokenLifetime = TimeSpan.FromSeconds(secs);
                return MiniHttpResponse.Json(200, "{\"ok\":true}");
            case "/_control/issue":
                return MiniHttpResponse.Json(200, IssueCredentials(q.GetValueOrDefault("profile") ?? "default").ToCredentialsJson());
            case "/_control/authorize":
                try
                {
                    return MiniHttpResponse.Text(200, Authorize(q.GetValueOrDefault("url") ?? string.Empty));
                }
                catch (InvalidOperationException e)
                {
                    return MiniHttpResponse.Json(400, new JsonObject { ["error"] = e.Message }.ToJsonString());
                }

            default:
                return MiniHttpResponse.Json(404, "{\"error\":\"unknown control endpoint\"}");
        }
    }

    private (string Access, string Refresh, long ExpiresAt) IssueLocked(string profile, TimeSpan lifetime)
    {
        var access = NewSecret("at");
        var refresh = NewSecret("rt");
        var expiresAt = DateTimeOffset.UtcNow.Add(lifetime).ToUnixTimeMilliseconds();
        _accessTokens[access] = expiresAt;
        _refreshTokens[refresh] = new RefreshGrant(profile, Spent: false);
        _latestAccess[profile] = access;
        _secrets[access] = "access token";
        _secrets[refresh] = "refresh token";
        return (access, refresh, expiresAt);
    }

    private string TokenJson(string access, string refresh, string? idToken)
    {
        var body = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["access_token"] = access,
            ["refresh_token"] = refresh,
            ["expires_in"] = (long)Math.Max(1, TokenLifetime.TotalSeconds),
            ["scope"] = string.Join(' ', IssuedCredentials.Scopes),
        };
        if (idToken is not null)
        {
            body["id_token"] = idToken;
        }

        if (OmitExpiresIn)
        {
            body.Remove("expires_in");
        }

        return body.ToJsonString();
    }

    private string NewSecret(string prefix)
    {
        var secret = $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}";
        _secrets[secret] = prefix switch
        {
            "code" or "devcode" => "authorization code",
            "verifier" => "PKCE verifier",
            _ => "token",
        };
        return secret;
    }

    private static Dictionary<string, string> ParseBody(MiniHttpRequest request)
    {
        var text = request.BodyText;
        if ((request.Header("content-type") ?? string.Empty).Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                if (JsonNode.Parse(text) is JsonObject obj)
                {
                    foreach (var (k, v) in obj)
                    {
                        result[k] = v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString() ?? string.Empty;
                    }
                }
            }
            catch (JsonException)
            {
            }

            return result;
        }

        return MiniHttp.ParseForm(text);
    }

    private sealed record RefreshGrant(string Profile, bool Spent);

    private sealed record CodeGrant(string Challenge, string Profile, bool DeviceCode);

    private sealed record DeviceGrant(string UserCode, int Polls);
}
