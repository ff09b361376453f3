using System.Text.Json;
using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// A profile with no credentials yet (issue 13, "first login"): on a terminal <c>ai work</c> runs the PKCE
/// paste login against the loopback OAuth server and goes on to podman; without one it stops with one line
/// naming the command. <c>ai login</c>, <c>ai codex-login</c> and the host entry scripts
/// <c>bin/refresh-tokens</c> and <c>bin/codex-login</c> write into <c>~/ai/settings</c>, 0600 in 0700.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class FirstLoginTests : IAsyncLifetime, IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly Sandbox _s;
    private readonly OAuthTestServer _server = OAuthTestServer.Start();

    public FirstLoginTests(FakePodmanBinary podman)
    {
        _s = new Sandbox(podman);
        _s.Env["CLAUDE_OAUTH_TOKEN_URL"] = _server.TokenUrl;
        _s.Env["CLAUDE_OAUTH_AUTHORIZE_URL"] = _server.AuthorizeUrl;
        _s.Env["CODEX_ISSUER"] = _server.Issuer;
        _s.Env["OAUTH_HTTP_RETRY_DELAY_MS"] = "10";
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _s.Dispose();

    private string Settings => Path.Combine(_s.AiDir, "settings");

    private string ClaudeCopy(string profile) => Path.Combine(Settings, $".credentials.{profile}.json");

    private void AssertLoggedIn(string path)
    {
        var token = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("claudeAiOauth").GetProperty("accessToken").GetString()!;
        Assert.True(_server.IsAccessTokenValid(token), "the saved access token is not one the server issued");
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Equal(PrivateDir, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(PrivateDir, File.GetUnixFileMode(_s.AiDir));
    }

    [Fact]
    public async Task On_a_terminal_ai_work_logs_the_new_profile_in_and_then_starts_the_sandbox()
    {
        Assert.False(Directory.Exists(_s.AiDir));
        await using var ai = Interactive.OnTerminal(RepoPaths.Binary("ai"), ["work"], _s.Env, _s.Project);
        await ai.WaitForAsync("Code: ", Bound);
        var pasted = _server.Authorize(ai.Url(), "work");
        await ai.TypeLineAsync(pasted);
        var exit = await ai.ExitAsync(Bound);

        Assert.True(exit == 0, ai.Seen);
        Assert.Contains("at=info msg=\"no claude credentials for this profile yet, logging in\" profile=work", ai.Seen, StringComparison.Ordinal);
        Assert.Contains("Login successful! Credentials saved to .credentials.work.json", ai.Seen, StringComparison.Ordinal);
        AssertLoggedIn(ClaudeCopy("work"));
        Assert.Equal(1, _server.Stats.CodeExchanges);
        var run = _s.RunCall;
        Assert.Contains("CLAUDE_PROFILE=work", run.Args);
        // The terminal echoes what the person pasted (a single-use code, spent by now); nothing else may hold a secret.
        _server.AssertNoSecrets(ai.Seen.Replace(pasted, "<pasted>", StringComparison.Ordinal).Split('\n'), "terminal");
    }

    [Fact]
    public async Task Without_a_terminal_ai_work_names_the_login_command_in_one_line_and_exits_1()
    {
        var result = await _s.PublishedAsync(["work"], stdin: "");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"at=fatal msg=\"claude profile not found\" profile=work path={ClaudeCopy("work")} run=\"ai login work\"",
            Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
        Assert.Empty(_s.Calls);
        Assert.Equal(0, _server.Stats.TokenRequests);
    }

    [Fact]
    public async Task Bin_ai_names_itself_in_the_login_command()
    {
        // The command the person can paste in the same directory: bin/ai as they called it.
        var binAi = Path.Combine(RepoPaths.Root, "bin", "ai");
        _s.Env["AI_REPO"] = null;
        var result = await Run.ProcessAsync(binAi, ["work"], _s.Env, stdin: "", cwd: _s.Project);
        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith($" run=\"{binAi} login work\"", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Empty(_s.Calls);
    }

    [Fact]
    public async Task An_abandoned_first_login_starts_nothing_and_names_the_command()
    {
        var result = await _s.InProcessAsync(["work"], stdin: "\n", terminal: true);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error: no code provided", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("at=fatal msg=\"claude login failed\" profile=work run=\"ai login work\"",
            Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal)));
        Assert.False(File.Exists(ClaudeCopy("work")));
        // podman was only asked (info), nothing was run.
        _s.AssertOnlyAsked();
    }

    [Fact]
    public async Task A_bad_port_is_reported_before_the_login_is_offered()
    {
        var result = await _s.InProcessAsync(["work", "--ports=abc"], terminal: true);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("at=fatal msg=\"invalid port spec\" spec=abc", Assert.Single(result.StderrLines));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task On_a_terminal_ai_cx_work_signs_the_new_codex_profile_in_and_then_starts_the_sandbox()
    {
        var result = await _s.InProcessAsync(["cx", "work"], terminal: true);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("at=info msg=\"no codex credentials for this profile yet, logging in\" profile=work", result.Stderr, StringComparison.Ordinal);
        var path = Path.Combine(Settings, "codex_work", "auth.json");
        Assert.Contains($"Login successful! Credentials saved to {path}", result.StdoutLines);
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Contains("CODEX_PROFILE=work", _s.RunCall.Args);
        _server.AssertNoSecrets(result.StdoutLines.Concat(result.StderrLines));
    }

    [Fact]
    public async Task Without_a_terminal_ai_cx_work_names_the_codex_login_command()
    {
        var result = await _s.InProcessAsync(["cx", "work"]);
        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith(" run=\"ai codex-login work\"", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.Empty(_s.Calls);
        Assert.Equal(0, _server.Stats.DeviceCodeRequests);
    }

    [Fact]
    public async Task Ai_login_writes_the_profile_into_ai_settings_whatever_CREDENTIALS_DIR_says()
    {
        _s.Env["CREDENTIALS_DIR"] = Path.Combine(_s.Root, "elsewhere");
        await using var ai = Interactive.Start(RepoPaths.Binary("ai"), ["login", "work"], _s.Env, _s.Project);
        await ai.WaitForAsync("Code: ", Bound);
        await ai.TypeLineAsync(_server.Authorize(ai.Url(), "work") + "\n");
        Assert.True(await ai.ExitAsync(Bound) == 0, ai.Seen);

        AssertLoggedIn(ClaudeCopy("work"));
        Assert.False(Directory.Exists(Path.Combine(_s.Root, "elsewhere")));
        Assert.Empty(_s.Calls);
        _server.AssertNoSecrets(ai.Seen.Split('\n'));
    }

    [Theory]
    [InlineData(new[] { "login", "../x" }, "at=fatal msg=\"invalid claude profile\" profile=../x")]
    [InlineData(new[] { "login", "a", "b" }, "at=fatal msg=\"unexpected argument\" arg=\"b\"")]
    [InlineData(new[] { "codex-login", "../x" }, "at=fatal msg=\"invalid codex profile\" profile=\"../x\"")]
    public async Task Bad_login_command_lines_exit_2_and_write_nothing(string[] args, string fatal)
    {
        var result = await _s.PublishedAsync(args, stdin: "");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(fatal, result.StderrLines[0]);
        Assert.False(Directory.Exists(_s.AiDir));
    }

    [Fact]
    public async Task Ai_codex_login_saves_auth_json_in_ai_settings_even_with_CODEX_HOME_set()
    {
        // A user's own CODEX_HOME (~/.codex) is not what the sandboxes mount.
        _s.Env["CODEX_HOME"] = Path.Combine(_s.Home, ".codex");
        var result = await _s.PublishedAsync(["codex-login", "work"], stdin: "");
        Assert.True(result.ExitCode == 0, result.ToString());
        var path = Path.Combine(Settings, "codex_work", "auth.json");
        Assert.Contains($"Login successful! Credentials saved to {path}", result.StdoutLines);
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Equal(PrivateDir, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.False(Directory.Exists(Path.Combine(_s.Home, ".codex")));
        _server.AssertNoSecrets(result.StdoutLines.Concat(result.StderrLines));

        var status = await _s.PublishedAsync(["codex-login", "work", "--status"], stdin: "");
        Assert.Equal((0, "Logged in using ChatGPT"), (status.ExitCode, status.Stdout.Trim()));

        // Now ai cx work finds the profile and starts the sandbox.
        var launch = await _s.PublishedAsync(["cx", "work"], stdin: "");
        Assert.True(launch.ExitCode == 0, launch.ToString());
        Assert.Contains("CODEX_PROFILE=work", _s.RunCall.Args);
    }

    [Fact]
    public async Task Bin_refresh_tokens_login_writes_into_the_hosts_ai_settings()
    {
        var script = Path.Combine(RepoPaths.Root, "bin", "refresh-tokens");
        await using var login = Interactive.OnTerminal(script, ["--login", "work"], _s.Env, _s.Project);
        await login.WaitForAsync("Code: ", Bound);
        await login.TypeLineAsync(_server.Authorize(login.Url(), "work"));
        Assert.True(await login.ExitAsync(Bound) == 0, login.Seen);
        AssertLoggedIn(ClaudeCopy("work"));

        // --once on the host refreshes that same file when it is due.
        var once = await Run.ProcessAsync(script, ["--once"], _s.Env, stdin: "");
        Assert.True(once.ExitCode == 0, once.ToString());
        Assert.Contains("file=.credentials.work.json", once.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bin_codex_login_writes_into_the_hosts_ai_settings()
    {
        var result = await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "bin", "codex-login"), ["alpha"], _s.Env, stdin: "", timeout: Bound);
        Assert.True(result.ExitCode == 0, result.ToString());
        var path = Path.Combine(Settings, "codex_alpha", "auth.json");
        Assert.Contains($"Login successful! Credentials saved to {path}", result.StdoutLines);
        Assert.Equal(Private, File.GetUnixFileMode(path));
    }
}
