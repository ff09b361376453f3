using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>The loopback OAuth server behaves like the real endpoints the refresher is tested against.</summary>
public sealed class OAuthServerTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Refresh_tokens_rotate_and_are_single_use()
    {
        await using var server = OAuthTestServer.Start();
        var issued = server.IssueCredentials("p");

        var (status1, body1) = await PostJsonAsync(server.TokenUrl, $"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{issued.RefreshToken}\"}}");
        var (status2, body2) = await PostJsonAsync(server.TokenUrl, $"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{issued.RefreshToken}\"}}");

        Assert.Equal(200, status1);
        Assert.NotEqual(issued.RefreshToken, body1["refresh_token"]!.GetValue<string>());
        Assert.Equal(28800, body1["expires_in"]!.GetValue<long>());
        Assert.True(server.IsAccessTokenValid(body1["access_token"]!.GetValue<string>()));
        Assert.Equal(400, status2);
        Assert.Equal("invalid_grant", body2["error"]!.GetValue<string>());
        Assert.Equal(1, server.Stats.InvalidGrants);
    }

    [Fact]
    public async Task Code_exchange_checks_pkce_and_codes_are_single_use()
    {
        await using var server = OAuthTestServer.Start();
        const string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        var challenge = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var code1 = server.Authorize($"{server.AuthorizeUrl}?code_challenge={challenge}&code_challenge_method=S256&state=s").Split('#')[0];
        var code2 = server.Authorize($"{server.AuthorizeUrl}?code_challenge={challenge}&code_challenge_method=S256&state=s").Split('#')[0];

        var (bad, _) = await PostJsonAsync(server.TokenUrl, $"{{\"grant_type\":\"authorization_code\",\"code\":\"{code1}\",\"code_verifier\":\"wrong\"}}");
        var (good, tokens) = await PostJsonAsync(server.TokenUrl, $"{{\"grant_type\":\"authorization_code\",\"code\":\"{code2}\",\"code_verifier\":\"{verifier}\"}}");
        var (again, _) = await PostJsonAsync(server.TokenUrl, $"{{\"grant_type\":\"authorization_code\",\"code\":\"{code2}\",\"code_verifier\":\"{verifier}\"}}");

        Assert.Equal((400, 200, 400), (bad, good, again));
        Assert.Equal(1, server.Stats.PkceFailures);
        Assert.False(string.IsNullOrEmpty(tokens["refresh_token"]?.GetValue<string>()));
    }

    [Theory]
    [InlineData(OAuthFault.RateLimit, 429, "rate_limit_error")]
    [InlineData(OAuthFault.ServerError, 500, "upstream")]
    [InlineData(OAuthFault.Garbage, 200, "not json")]
    [InlineData(OAuthFault.NoAccessToken, 200, "token_type")]
    public async Task Faults_answer_as_injected_then_normal_service_resumes(OAuthFault fault, int status, string bodyPart)
    {
        await using var server = OAuthTestServer.Start();
        var issued = server.IssueCredentials("p");
        server.InjectFault(fault);
        var body = $"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{issued.RefreshToken}\"}}";

        using var faulted = await Http.PostAsync(server.TokenUrl, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await faulted.Content.ReadAsStringAsync();
        var (after, _) = await PostJsonAsync(server.TokenUrl, body);

        Assert.Equal(status, (int)faulted.StatusCode);
        Assert.Contains(bodyPart, text, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", text, StringComparison.Ordinal);
        Assert.Equal(200, after);
        Assert.Equal(1, server.Stats.FaultsServed);
        Assert.Equal(2, server.Stats.TokenRequests);
    }

    [Theory]
    [InlineData(OAuthFault.RotateThenBadGateway, 502)]
    [InlineData(OAuthFault.RotateThenGatewayTimeout, 504)]
    [InlineData(OAuthFault.RotateThenClose, 0)]
    [InlineData(OAuthFault.RotateThenLate, 0)]
    public async Task Faults_after_rotation_spend_the_token_run_the_hook_first_and_count_a_second_use(OAuthFault fault, int status)
    {
        await using var server = OAuthTestServer.Start();
        var issued = server.IssueCredentials("p");
        server.InjectFault(fault);
        var hookRuns = 0;
        var spentInHook = false;
        server.Rotated = () =>
        {
            hookRuns++;
            spentInHook = !server.IsRefreshTokenLive(issued.RefreshToken);
            return Task.CompletedTask;
        };
        var body = $"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{issued.RefreshToken}\"}}";

        int answered;
        using (var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(status == 0 ? 1000 : 10_000) })
        {
            try
            {
                using var response = await client.PostAsync(server.TokenUrl, new StringContent(body, Encoding.UTF8, "application/json"));
                answered = (int)response.StatusCode;
                Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                answered = 0;
            }
        }

        var (again, _) = await PostJsonAsync(server.TokenUrl, body);

        Assert.Equal(status, answered);
        Assert.True(spentInHook, "the hook runs after the token was spent");
        Assert.Equal(1, hookRuns);
        Assert.Equal(1, server.Stats.Refreshed);
        Assert.Equal(400, again);
        Assert.Equal(1, server.Stats.SpentTokenRequests);
    }

    [Fact]
    public async Task Spent_token_count_leaves_out_tokens_the_server_never_issued()
    {
        await using var server = OAuthTestServer.Start();
        var (status, _) = await PostJsonAsync(server.TokenUrl, "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"rt-never-issued\"}");
        Assert.Equal(400, status);
        Assert.Equal((1, 0), (server.Stats.InvalidGrants, server.Stats.SpentTokenRequests));
    }

    [Fact]
    public async Task Hang_holds_the_request_until_the_client_gives_up()
    {
        await using var server = OAuthTestServer.Start();
        server.InjectFault(OAuthFault.Hang);
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.PostAsync(server.TokenUrl, new StringContent("{}", Encoding.UTF8, "application/json")));
    }

    [Fact]
    public async Task Device_flow_issues_a_jwt_id_token_with_the_chatgpt_account_claim()
    {
        await using var server = OAuthTestServer.Start();
        server.DevicePendingPolls = 1;
        var (s1, start) = await PostJsonAsync(server.Issuer + "/api/accounts/deviceauth/usercode", "{\"client_id\":\"app_x\"}");
        var poll = $"{{\"device_auth_id\":\"{start["device_auth_id"]}\",\"user_code\":\"{start["user_code"]}\"}}";
        var (pending, _) = await PostJsonAsync(server.Issuer + "/api/accounts/deviceauth/token", poll);
        var (ok, approved) = await PostJsonAsync(server.Issuer + "/api/accounts/deviceauth/token", poll);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = approved["authorization_code"]!.GetValue<string>(),
            ["code_verifier"] = approved["code_verifier"]!.GetValue<string>(),
            ["client_id"] = "app_x",
        });
        using var exchange = await Http.PostAsync(server.Issuer + "/oauth/token", form);
        var tokens = JsonNode.Parse(await exchange.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal((200, 403, 200, HttpStatusCode.OK), (s1, pending, ok, exchange.StatusCode));
        var parts = tokens["id_token"]!.GetValue<string>().Split('.');
        Assert.Equal(3, parts.Length);
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var claims = JsonNode.Parse(Convert.FromBase64String(payload))!;
        Assert.Equal(server.ChatGptAccountId, claims["https://api.openai.com/auth"]!["chatgpt_account_id"]!.GetValue<string>());
    }

    [Fact]
    public void Secret_check_finds_a_token_in_a_line_without_printing_it()
    {
        using var server = OAuthTestServer.Start();
        var issued = server.IssueCredentials("p");
        var e = Assert.ThrowsAny<Exception>(() => server.AssertNoSecrets(["ok", "leak " + issued.RefreshToken]));
        Assert.DoesNotContain(issued.RefreshToken, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standalone_process_prints_its_url_and_takes_faults_over_the_control_endpoint()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AiSandbox.OAuthServer.dll");
        Assert.True(File.Exists(dll), "the OAuthServer project is built next to the tests: " + dll);
        var psi = Run.Start("dotnet", [dll, "--lifetime", "60"]);
        using var process = Process.Start(psi)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.StartsWith("at=info msg=\"listening\" url=http://127.0.0.1:", line, StringComparison.Ordinal);
            var baseUrl = line!.Split(' ').Single(p => p.StartsWith("url=", StringComparison.Ordinal))[4..];

            using var issue = await Http.PostAsync(baseUrl + "_control/issue?profile=w", null);
            var creds = JsonNode.Parse(await issue.Content.ReadAsStringAsync())!["claudeAiOauth"]!;
            using var fault = await Http.PostAsync(baseUrl + "_control/fault?kind=rate_limit&times=1", null);
            var body = $"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{creds["refreshToken"]}\"}}";
            var (limited, _) = await PostJsonAsync(baseUrl + "v1/oauth/token", body);
            var (refreshed, tokens) = await PostJsonAsync(baseUrl + "v1/oauth/token", body);

            // A fault after rotation: 504, yet the token is spent; sending it again counts as a spent-token request.
            using var late = await Http.PostAsync(baseUrl + "_control/fault?kind=rotate_then_gateway_timeout", null);
            var next = $"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{tokens["refresh_token"]}\"}}";
            var (gateway, _) = await PostJsonAsync(baseUrl + "v1/oauth/token", next);
            var (spent, _) = await PostJsonAsync(baseUrl + "v1/oauth/token", next);
            var stats = JsonNode.Parse(await Http.GetStringAsync(baseUrl + "_control/stats"))!;

            Assert.Equal((HttpStatusCode.OK, 429, 200), (fault.StatusCode, limited, refreshed));
            Assert.Equal((HttpStatusCode.OK, 504, 400), (late.StatusCode, gateway, spent));
            Assert.Equal(60, tokens["expires_in"]!.GetValue<long>());
            Assert.Equal(4, stats["tokenRequests"]!.GetValue<int>());
            Assert.Equal(2, stats["faultsServed"]!.GetValue<int>());
            Assert.Equal(1, stats["spentTokenRequests"]!.GetValue<int>());
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    private static async Task<(int Status, JsonObject Body)> PostJsonAsync(string url, string json)
    {
        using var response = await Http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return ((int)response.StatusCode, JsonNode.Parse(text) as JsonObject ?? []);
        }
        catch (System.Text.Json.JsonException)
        {
            return ((int)response.StatusCode, []); // a gateway's HTML page
        }
    }
}
