using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// The host token flow with the real chain API of refresh-tokens against the loopback OAuth server
/// (single-use rotating refresh tokens, PKCE): valid, refreshed, recovered from history, expired
/// without history (the test answers the login prompt), login failure. No secret in any output line.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class TokenFlowTests : IAsyncLifetime, IDisposable
{
    private readonly Sandbox _s;
    private readonly OAuthTestServer _server = OAuthTestServer.Start();

    public TokenFlowTests(FakePodmanBinary podman)
    {
        _s = new Sandbox(podman);
        _s.Env["CLAUDE_OAUTH_TOKEN_URL"] = _server.TokenUrl;
        _s.Env["CLAUDE_OAUTH_AUTHORIZE_URL"] = _server.AuthorizeUrl;
        _s.Env["OAUTH_HTTP_RETRY_DELAY_MS"] = "10";
    }

    // xunit 2 disposes a test class through IDisposable and IAsyncLifetime, not IAsyncDisposable: as
    // IAsyncDisposable alone, every test left its scratch directory and its OAuth server behind.
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _s.Dispose();

    private string SettingsCopy => Path.Combine(_s.AiDir, "settings", ".credentials.work.json");

    private static long Ms(TimeSpan fromNow) => DateTimeOffset.UtcNow.Add(fromNow).ToUnixTimeMilliseconds();

    private async Task<ProcessResult> LaunchAsync(Func<StringWriter, TextReader>? stdin = null)
    {
        var result = await _s.InProcessAsync(["work"], stdinFactory: stdin);
        _server.AssertNoSecrets(result.StdoutLines, "stdout");
        _server.AssertNoSecrets(result.StderrLines, "stderr");
        return result;
    }

    private string AccessTokenOf(string path) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("claudeAiOauth").GetProperty("accessToken").GetString()!;

    [Fact]
    public async Task A_valid_token_starts_podman_without_any_request()
    {
        // 33
        _server.IssueCredentials("work").WriteTo(SettingsCopy);
        var result = await LaunchAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, _server.Stats.TokenRequests);
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task A_token_in_the_refresh_window_is_refreshed_before_podman()
    {
        _server.IssueCredentials("work", TimeSpan.FromMinutes(10)).WriteTo(SettingsCopy);
        var result = await LaunchAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, _server.Stats.Refreshed);
        Assert.Equal(_server.LatestAccessToken("work"), AccessTokenOf(SettingsCopy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SettingsCopy));
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task An_expired_settings_copy_is_recovered_from_the_newest_history_copy()
    {
        // 34: the session refreshed the chain; the settings copy is stale and its refresh token spent.
        var stale = _server.IssueCredentials("work");
        stale.WriteTo(SettingsCopy, Ms(TimeSpan.FromMinutes(-5)));
        var session = Path.Combine(_s.AiDir, "history", "2026", "11_Nov", "27_Fri_06-00_claude");
        var fresh = _server.IssueCredentials("work");
        fresh.WriteTo(Path.Combine(session, ".credentials.json"));
        File.WriteAllText(Path.Combine(session, ".profile"), "work\n");

        var result = await LaunchAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("at=info msg=\"recovered active claude credentials from history\" profile=work", result.StderrLines);
        Assert.Equal(fresh.AccessToken, AccessTokenOf(SettingsCopy));
        Assert.Equal(0, _server.Stats.InvalidGrants);
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task Expired_without_history_logs_in_with_the_code_the_person_pastes()
    {
        // 35: the refresh token was spent elsewhere, so the refresh gets invalid_grant; no history copy.
        var spent = _server.IssueCredentials("work");
        spent.WriteTo(SettingsCopy, Ms(TimeSpan.FromMinutes(-5)));
        _ = _server.IssueCredentials("other"); // keeps the server's state non-trivial
        File.WriteAllText(SettingsCopy, spent.ToCredentialsJson(Ms(TimeSpan.FromMinutes(-5))).Replace(spent.RefreshToken, "unknown-refresh-token", StringComparison.Ordinal));

        var result = await LaunchAsync(stdout => new BrowserAnswer(stdout, _server));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("at=info msg=\"claude token expired, logging in\" profile=work", result.StderrLines);
        Assert.Contains("Login successful!", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, _server.Stats.CodeExchanges);
        Assert.True(_server.IsAccessTokenValid(AccessTokenOf(SettingsCopy)));
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task A_failed_login_starts_no_podman()
    {
        _server.IssueCredentials("work").WriteTo(SettingsCopy, Ms(TimeSpan.FromMinutes(-5)));
        File.WriteAllText(SettingsCopy, File.ReadAllText(SettingsCopy).Replace("\"refreshToken\":\"", "\"refreshToken\":\"x", StringComparison.Ordinal));
        var before = File.ReadAllText(SettingsCopy);

        var result = await LaunchAsync(_ => new StringReader("\n"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error: no code provided", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("at=fatal msg=\"claude login failed\" profile=work run=\"ai login work\"", result.StderrLines);
        // podman was only asked (info: rootless, remote, where the refresh runs), nothing was run.
        _s.AssertOnlyAsked();
        Assert.Equal(before, File.ReadAllText(SettingsCopy));
    }

    [Fact]
    public async Task The_published_binary_refreshes_before_podman()
    {
        _server.IssueCredentials("work", TimeSpan.FromMinutes(10)).WriteTo(SettingsCopy);
        var result = await _s.PublishedAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, _server.Stats.Refreshed);
        Assert.Equal(_server.LatestAccessToken("work"), AccessTokenOf(SettingsCopy));
        _server.AssertNoSecrets(result.StderrLines, "stderr");
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task The_published_binary_logs_in_on_its_terminal_then_runs_podman()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SettingsCopy)!);
        File.WriteAllText(SettingsCopy, _server.IssueCredentials("work").ToCredentialsJson(Ms(TimeSpan.FromMinutes(-5)))
            .Replace("\"refreshToken\":\"", "\"refreshToken\":\"spent-", StringComparison.Ordinal));
        var psi = Run.Start(RepoPaths.Binary("ai"), ["work"], _s.Env, _s.Project);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = new System.Text.StringBuilder();
        var reader = Task.Run(async () =>
        {
            var buffer = new char[256];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (seen)
                {
                    seen.Append(buffer, 0, n);
                }
            }
        });
        string Seen()
        {
            lock (seen)
            {
                return seen.ToString();
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Seen().Contains("Code: ", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
                Assert.Fail("no login prompt from ai:\n" + Seen() + "\n--- stderr ---\n" + await stderr);
            }

            await Task.Delay(20);
        }

        var url = Seen().Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("http", StringComparison.Ordinal));
        await process.StandardInput.WriteLineAsync(_server.Authorize(url, "work"));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        await reader;
        var rest = Seen();
        Assert.True(process.ExitCode == 0, rest + await stderr);
        Assert.Contains("Login successful!", rest, StringComparison.Ordinal);
        Assert.True(_server.IsAccessTokenValid(AccessTokenOf(SettingsCopy)));
        Assert.Single(_s.Calls, c => c.Command == "run");
        _server.AssertNoSecrets((rest + await stderr).Split('\n'), "output");
    }

    [Fact]
    public async Task A_newer_refresh_token_in_an_expired_session_copy_is_adopted_and_the_older_one_never_spent()
    {
        // A session refreshed the chain (its copy holds the newer, live refresh token), then both copies
        // expired. The settings copy's older refresh token was spent by that refresh.
        var older = _server.IssueCredentials("work");
        Directory.CreateDirectory(Path.GetDirectoryName(SettingsCopy)!);
        File.WriteAllText(SettingsCopy, older.ToCredentialsJson(Ms(TimeSpan.FromHours(-2)))
            .Replace(older.RefreshToken, "spent-" + older.RefreshToken, StringComparison.Ordinal));
        var session = Path.Combine(_s.AiDir, "history", "2026", "11_Nov", "27_Fri_06-00_claude");
        var newer = _server.IssueCredentials("work");
        newer.WriteTo(Path.Combine(session, ".credentials.json"), Ms(TimeSpan.FromHours(-1)));
        File.WriteAllText(Path.Combine(session, ".profile"), "work\n");

        var result = await _s.PublishedAsync(["work"]);

        _server.AssertNoSecrets(result.StdoutLines.Concat(result.StderrLines), "output");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, _server.Stats.InvalidGrants);
        Assert.Equal(1, _server.Stats.Refreshed);
        Assert.Equal(_server.LatestAccessToken("work"), AccessTokenOf(SettingsCopy));
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task Named_pipes_in_the_history_do_not_block_the_refresh_before_launch()
    {
        // Any sandbox can write the history tree; a pipe with no writer must not stall ai under the chain lock.
        _server.IssueCredentials("work", TimeSpan.FromMinutes(10)).WriteTo(SettingsCopy);
        foreach (var (session, pipe) in new[] { ("27_Fri_06-00_claude", ".credentials.json"), ("27_Fri_07-00_claude", ".profile") })
        {
            var dir = Path.Combine(_s.AiDir, "history", "2026", "11_Nov", session);
            _server.IssueCredentials("work").WriteTo(Path.Combine(dir, ".credentials.json"), Ms(TimeSpan.FromHours(-1)));
            File.WriteAllText(Path.Combine(dir, ".profile"), "work\n");
            File.Delete(Path.Combine(dir, pipe));
            var make = await Run.ProcessAsync("/usr/bin/mkfifo", [Path.Combine(dir, pipe)]);
            Assert.True(make.ExitCode == 0, make.ToString());
        }

        var result = await _s.PublishedAsync(["work"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, _server.Stats.Refreshed);
        Assert.Equal(_server.LatestAccessToken("work"), AccessTokenOf(SettingsCopy));
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task A_chain_lock_held_past_CHAIN_LOCK_TIMEOUT_stops_ai_with_one_fatal_line()
    {
        _server.IssueCredentials("work").WriteTo(SettingsCopy, Ms(TimeSpan.FromMinutes(-5)));
        var before = File.ReadAllBytes(SettingsCopy);
        _s.Env["CHAIN_LOCK_TIMEOUT"] = "1";
        using var held = Common.IO.FileLock.TryAcquire(SettingsCopy + ".lock");
        Assert.NotNull(held);

        var result = await _s.PublishedAsync(["work"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.StartsWith("at=fatal msg=\"timed out waiting for the claude chain lock\" profile=work lock=", fatal, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        // podman was only asked (info: rootless, remote, where the refresh runs), nothing was run.
        _s.AssertOnlyAsked();
        Assert.Equal(before, File.ReadAllBytes(SettingsCopy));
        Assert.Equal(0, _server.Stats.TokenRequests);
    }

    /// <summary>Plays the person: reads the authorize URL the login printed, approves it, pastes the callback text.</summary>
    private sealed class BrowserAnswer(StringWriter stdout, OAuthTestServer server) : TextReader
    {
        public override string? ReadLine()
        {
            var url = stdout.ToString().Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("http", StringComparison.Ordinal));
            return server.Authorize(url, "work");
        }
    }
}
