namespace AiSandbox.TokenRefresher.Tests;

/// <summary>--login: PKCE against the loopback server, code or callback URL pasted (behavior 107).</summary>
public sealed class LoginTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Login_prints_the_authorize_url_accepts_a_code_or_callback_and_writes_0600(bool callbackUrl)
    {
        await using var box = new Sandbox();
        await using var login = new LiveProcess(box, "refresh-tokens", ["--login", "work"], box.Env());

        var url = (await login.WaitForLineAsync(l => l.TrimStart().StartsWith(box.Server.AuthorizeUrl, StringComparison.Ordinal), TimeSpan.FromSeconds(10))).Trim();
        Assert.Contains("client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e", url, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", url, StringComparison.Ordinal);
        Assert.Contains("scope=org%3Acreate_api_key+user%3Aprofile+user%3Ainference+user%3Asessions%3Aclaude_code+user%3Amcp_servers+user%3Afile_upload", url, StringComparison.Ordinal);
        Assert.Contains("redirect_uri=https%3A%2F%2Fplatform.claude.com%2Foauth%2Fcode%2Fcallback", url, StringComparison.Ordinal);
        await login.WaitForLineAsync(l => l == "Code: ", TimeSpan.FromSeconds(5));

        var answer = box.Server.Authorize(url, "work");
        var code = answer.Split('#')[0];
        await login.Stdin.WriteLineAsync(callbackUrl ? $"https://platform.claude.com/oauth/code/callback?code={code}&state=x" : answer);
        await login.Stdin.FlushAsync();
        Assert.Equal(0, await login.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        var path = box.SettingsCopy("work");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, Sandbox.Mode(path));
        Assert.True(box.Server.IsAccessTokenValid(Sandbox.AccessToken(path)));
        Assert.Contains(login.Lines, l => l == "Login successful! Credentials saved to .credentials.work.json");
        Assert.Equal(0, box.Server.Stats.PkceFailures);
    }

    [Fact]
    public async Task A_code_from_another_login_fails_the_pkce_check_and_writes_nothing()
    {
        await using var box = new Sandbox();
        var foreign = box.Server.Authorize(box.Server.AuthorizeUrl + "?code_challenge=abc&code_challenge_method=S256&state=s");

        var result = await box.RunAsync(["--login", "work"], box.Env(), stdin: foreign + "\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.EndsWith("Error: PKCE verification failed", StringComparison.Ordinal));
        Assert.False(File.Exists(box.SettingsCopy("work")));
        Assert.Equal(1, box.Server.Stats.PkceFailures);
    }

    [Fact]
    public async Task Empty_code_is_an_error()
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync(["--login"], box.Env(), stdin: "\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.EndsWith("Error: no code provided", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rate_limited_exchange_backs_off_then_succeeds()
    {
        await using var box = new Sandbox();
        box.Server.InjectFault(TestSupport.OAuth.OAuthFault.RateLimit, 2);
        await using var login = new LiveProcess(box, "refresh-tokens", ["--login", "work"], box.Env(null, ("LOGIN_RATE_LIMIT_DELAY", "0")));
        var url = (await login.WaitForLineAsync(l => l.TrimStart().StartsWith(box.Server.AuthorizeUrl, StringComparison.Ordinal), TimeSpan.FromSeconds(10))).Trim();
        await login.Stdin.WriteLineAsync(box.Server.Authorize(url, "work"));
        await login.Stdin.FlushAsync();

        Assert.Equal(0, await login.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(login.Lines, l => l.Contains("Rate limited, retrying in 0s... (attempt 1/5)", StringComparison.Ordinal));
        Assert.Contains(login.Lines, l => l.Contains("(attempt 2/5)", StringComparison.Ordinal));
        Assert.True(File.Exists(box.SettingsCopy("work")));
    }
}
