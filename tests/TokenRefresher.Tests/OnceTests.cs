using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>refresh-tokens --once against a real loopback token endpoint (behaviors 98-102 and the chain rules).</summary>
public sealed class OnceTests
{
    [Fact]
    public async Task Valid_token_is_logged_and_no_request_is_made()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));

        var result = await box.RunAsync("--once");

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.StdoutLines);
        Assert.Matches("^at=info ts=\\S+Z msg=\"token valid\" file=.credentials.work.json profile=work remaining_secs=\\d+ expires=\"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\"$", line);
        Assert.Equal(0, box.Server.Stats.TokenRequests);
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
    }

    [Fact]
    public async Task Due_token_is_refreshed_rewriting_only_the_token_fields_with_mode_600()
    {
        await using var box = new Sandbox();
        var issued = box.Server.IssueCredentials("work");
        var path = box.SettingsCopy("work");
        issued.WriteTo(path, Sandbox.InMs(TimeSpan.FromMinutes(10)));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = await box.RunAsync("--once");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"refreshing\"", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"refreshed\" file=.credentials.work.json", StringComparison.Ordinal));
        Assert.Equal(1, box.Server.Stats.Refreshed);
        var oauth = Sandbox.OAuthOf(path);
        Assert.NotEqual(issued.AccessToken, oauth["accessToken"]!.GetValue<string>());
        Assert.True(box.Server.IsAccessTokenValid(oauth["accessToken"]!.GetValue<string>()));
        Assert.True(box.Server.IsRefreshTokenLive(oauth["refreshToken"]!.GetValue<string>()));
        Assert.InRange(oauth["expiresAt"]!.GetValue<long>(), Sandbox.InMs(TimeSpan.FromHours(7.9)), Sandbox.InMs(TimeSpan.FromHours(8.1)));
        Assert.Equal("max", oauth["subscriptionType"]!.GetValue<string>());
        Assert.Equal(2, oauth["scopes"]!.AsArray().Count);
        Assert.Contains("\"mcpOAuth\":{\"keep\":\"me\"}", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, Sandbox.Mode(path));
    }

    [Fact]
    public async Task Rate_limit_leaves_the_file_unchanged_warns_and_exits_1_without_retrying()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));
        box.Server.InjectFault(OAuthFault.RateLimit, 5);

        var result = await box.RunAsync("--once");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("at=warn", StringComparison.Ordinal) &&
            l.Contains("msg=\"rate limited, will retry next cycle\"", StringComparison.Ordinal) && l.Contains("http_status=429", StringComparison.Ordinal));
        Assert.Equal(1, box.Server.Stats.TokenRequests);
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
    }

    [Fact]
    public async Task Server_errors_are_not_retried_because_the_token_may_be_spent()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        box.Server.InjectFault(OAuthFault.ServerError, 1);

        var result = await box.RunAsync("--once");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, box.Server.Stats.TokenRequests);
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"refresh outcome unknown, token kept and not sent again, login needed\"", StringComparison.Ordinal) &&
            l.Contains("http_status=500", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OAuthFault.ServerError, "msg=\"refresh outcome unknown")]
    [InlineData(OAuthFault.Hang, "error=\"timed out\"")]
    [InlineData(OAuthFault.Garbage, "msg=\"refresh outcome unknown")]
    [InlineData(OAuthFault.NoAccessToken, "error=\"token service degraded\"")]
    public async Task Failures_leave_the_file_unchanged_and_exit_1(OAuthFault fault, string expected)
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));
        box.Server.InjectFault(fault, 2);
        box.Server.HangDuration = TimeSpan.FromSeconds(60);

        var result = await box.RunAsync(["--once"], box.Env(), timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("at=error", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
    }

    [Fact]
    public async Task File_without_oauth_key_is_skipped_silently_and_one_without_refresh_token_warns()
    {
        await using var box = new Sandbox();
        File.WriteAllText(Path.Combine(box.Settings, ".credentials.other.json"), "{\"somethingElse\":{}}");
        File.WriteAllText(Path.Combine(box.Settings, ".credentials.norefresh.json"),
            $"{{\"claudeAiOauth\":{{\"accessToken\":\"x\",\"expiresAt\":{Sandbox.InMs(TimeSpan.FromMinutes(1))}}}}}");

        var result = await box.RunAsync("--once");

        Assert.DoesNotContain(result.StdoutLines, l => l.Contains(".credentials.other.json", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.StartsWith("at=warn", StringComparison.Ordinal) &&
            l.Contains("msg=\"no refresh token\" file=.credentials.norefresh.json", StringComparison.Ordinal));
        Assert.Equal(0, box.Server.Stats.TokenRequests);
    }

    [Fact]
    public async Task Missing_credentials_dir_is_logged_and_exits_0()
    {
        await using var box = new Sandbox();
        var missing = Path.Combine(box.Root, "nope");

        var result = await box.RunAsync(["--once"], box.Env(missing));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"credentials dir not found, skipping\"", StringComparison.Ordinal) && l.Contains(missing, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Session_copy_adopts_a_newer_settings_copy_instead_of_refreshing()
    {
        await using var box = new Sandbox();
        var old = box.Server.IssueCredentials("work");
        var session = box.SessionCopy("work", "27_Fri_06-00", old, Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var fresh = box.Server.IssueCredentials("work");
        fresh.WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(8)));

        var result = await box.RunAsync(["--once"], box.Env(Path.GetDirectoryName(session)));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, box.Server.Stats.TokenRequests);
        Assert.Equal(fresh.AccessToken, Sandbox.AccessToken(session));
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"adopted newer credentials\"", StringComparison.Ordinal));
        Assert.Contains("\"mcpOAuth\"", File.ReadAllText(session), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_of_a_session_copy_writes_the_settings_copy_too()
    {
        await using var box = new Sandbox();
        var issued = box.Server.IssueCredentials("work");
        var session = box.SessionCopy("work", "27_Fri_06-01", issued, Sandbox.InMs(TimeSpan.FromMinutes(5)));
        issued.WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));

        var result = await box.RunAsync(["--once"], box.Env(Path.GetDirectoryName(session)));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, box.Server.Stats.Refreshed);
        Assert.Equal(Sandbox.AccessToken(box.SettingsCopy("work")), Sandbox.AccessToken(session));
        Assert.Equal(Sandbox.RefreshToken(box.SettingsCopy("work")), Sandbox.RefreshToken(session));
        Assert.True(box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(session)));
    }

    [Fact]
    public async Task Newer_session_copy_is_propagated_to_an_older_settings_copy_never_backwards()
    {
        await using var box = new Sandbox();
        var newer = box.Server.IssueCredentials("work");
        var session = box.SessionCopy("work", "27_Fri_06-02", newer, Sandbox.InMs(TimeSpan.FromHours(7)));
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(2)));

        var result = await box.RunAsync(["--once"], box.Env(Path.GetDirectoryName(session)));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(newer.AccessToken, Sandbox.AccessToken(box.SettingsCopy("work")));
        Assert.Equal(newer.AccessToken, Sandbox.AccessToken(session));
        Assert.Equal(0, box.Server.Stats.TokenRequests);
    }

    [Fact]
    public async Task Invalid_grant_marks_the_chain_needs_login_with_one_error_per_cycle_and_no_retry()
    {
        await using var box = new Sandbox();
        var issued = box.Server.IssueCredentials("work");
        issued.WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var spent = box.Server.IssueCredentials("other");
        // Spend "work"'s refresh token behind our back, as a second client would.
        using (var http = new HttpClient())
        {
            using var content = new StringContent($"{{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{issued.RefreshToken}\"}}", System.Text.Encoding.UTF8, "application/json");
            (await http.PostAsync(box.Server.TokenUrl, content)).EnsureSuccessStatusCode();
        }

        var before = File.ReadAllText(box.SettingsCopy("work"));
        var first = await box.RunAsync("--once");
        var second = await box.RunAsync("--once");

        Assert.Equal(1, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        var firstErrors = first.StdoutLines.Where(l => l.StartsWith("at=error", StringComparison.Ordinal)).ToList();
        Assert.Contains("msg=\"refresh token rejected, login needed\"", Assert.Single(firstErrors), StringComparison.Ordinal);
        Assert.Contains("profile=work", firstErrors[0], StringComparison.Ordinal);
        var secondErrors = second.StdoutLines.Where(l => l.StartsWith("at=error", StringComparison.Ordinal)).ToList();
        Assert.Contains("msg=\"login needed\"", Assert.Single(secondErrors), StringComparison.Ordinal);
        Assert.Equal(1, box.Server.Stats.InvalidGrants);
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));

        var list = await box.RunAsync("--list-active");
        Assert.Contains(list.StderrLines, l => l.Contains("msg=\"login needed\" profile=work", StringComparison.Ordinal));
        _ = spent;

        // A login elsewhere writes a new chain: the mark goes, refreshing resumes.
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var third = await box.RunAsync("--once");
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal(2, box.Server.Stats.Refreshed); // the spending call above, then this pass
        var after = await box.RunAsync("--list-active");
        Assert.DoesNotContain(after.StderrLines, l => l.Contains("login needed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Symlink_at_a_credential_path_is_refused_and_its_target_untouched()
    {
        await using var box = new Sandbox();
        var target = Path.Combine(box.Root, "elsewhere.json");
        box.Server.IssueCredentials("work").WriteTo(target, Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(target);
        File.CreateSymbolicLink(box.SettingsCopy("work"), target);

        var result = await box.RunAsync("--once");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StdoutLines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        Assert.Contains("symbolic link", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(target));
        Assert.NotNull(new FileInfo(box.SettingsCopy("work")).LinkTarget);
        Assert.Equal(0, box.Server.Stats.TokenRequests);
    }
}
