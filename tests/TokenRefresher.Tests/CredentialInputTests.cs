using System.Text.Json;
using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// Hand-made credential files in one cycle (<c>--once</c>, the daemon's cycle): each bad one is one error
/// line naming the file, exit 1, the file left byte for byte, and the chain after it (".credentials.zz.json"
/// sorts last) still served in the same cycle. Never a stack trace, never a wait on a file that is not one.
/// </summary>
public sealed class CredentialInputTests
{
    private static readonly TimeSpan DoesNotHang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task McpOAuth_before_claudeAiOauth_gets_nothing_and_claudeAiOauth_gets_the_new_tokens()
    {
        await using var box = new Sandbox();
        var issued = box.Server.IssueCredentials("work", TimeSpan.FromMinutes(10));
        var mcp = """{"plugin:sentry":{"serverName":"sentry","accessToken":"mcp-access","refreshToken":"mcp-refresh","expiresAt":1700000000000}}""";
        var path = box.SettingsCopy("work");
        File.WriteAllText(path, "{\"mcpOAuth\":" + mcp + ",\"claudeAiOauth\":" + OAuthObject(issued.AccessToken, issued.RefreshToken, issued.ExpiresAtMs) + "}");

        var result = await box.RunAsync("--once");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, box.Server.Stats.Refreshed);
        Assert.Equal(box.Server.LatestAccessToken("work"), Sandbox.AccessToken(path));
        Assert.True(box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(path)));
        using var after = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.Equal(mcp, after.RootElement.GetProperty("mcpOAuth").GetRawText());
    }

    [Fact]
    public async Task A_file_with_only_mcpOAuth_is_not_a_claude_credential_and_is_left_alone()
    {
        await using var box = new Sandbox();
        var path = box.SettingsCopy("work");
        File.WriteAllText(path, """{"mcpOAuth":{"x":{"accessToken":"a","refreshToken":"r","expiresAt":1}}}""");
        Good(box);
        var before = Snapshot(box.Settings);

        var result = await box.RunAsync("--once");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(result.StdoutLines, l => l.Contains(".credentials.work.json", StringComparison.Ordinal));
        AssertGoodServed(result);
        Assert.Equal(before, Snapshot(box.Settings));
        Assert.Equal(0, box.Server.Stats.TokenRequests);
    }

    [Theory]
    [InlineData("top-level", "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":1},\"claudeAiOauth\":{\"accessToken\":\"b\",\"refreshToken\":\"s\",\"expiresAt\":2}}")]
    [InlineData("nested", "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"refreshToken\":\"s\",\"expiresAt\":1}}")]
    [InlineData("unrelated key", "{\"other\":{\"k\":1,\"k\":2},\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":1}}")]
    public async Task Duplicate_keys_are_one_error(string where, string content)
    {
        _ = where;
        await AssertOneErrorAsync(content, "duplicate key in a JSON object");
    }

    [Theory]
    [InlineData("253402300800000")] // 10000-01-01T00:00:00Z, one millisecond past .NET's calendar
    [InlineData("9223372036854775807")]
    [InlineData("100000000000000000000")]
    [InlineData("1e400")]
    [InlineData("-1")]
    [InlineData("-1e30")]
    public async Task ExpiresAt_out_of_range_is_one_error(string expiresAt)
    {
        await AssertOneErrorAsync(
            "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":" + expiresAt + "}}",
            "claudeAiOauth.expiresAt is out of range");
    }

    [Fact]
    public async Task A_fractional_expiresAt_is_taken_in_whole_milliseconds_and_refreshed()
    {
        await using var box = new Sandbox();
        var issued = box.Server.IssueCredentials("work", TimeSpan.FromMinutes(10));
        var path = box.SettingsCopy("work");
        File.WriteAllText(path, "{\"claudeAiOauth\":" + OAuthObject(issued.AccessToken, issued.RefreshToken, issued.ExpiresAtMs).Replace(
            $"\"expiresAt\":{issued.ExpiresAtMs}", $"\"expiresAt\":{issued.ExpiresAtMs}.75", StringComparison.Ordinal) + "}");

        var result = await box.RunAsync("--once");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, box.Server.Stats.Refreshed);
        Assert.Equal(box.Server.LatestAccessToken("work"), Sandbox.AccessToken(path));
    }

    [Theory]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":{\"v\":\"r\"},\"expiresAt\":1}}", "refreshToken is not a string")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":[\"a\"],\"refreshToken\":\"r\",\"expiresAt\":1}}", "accessToken is not a string")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":true}}", "expiresAt is not a number")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":{}}}", "expiresAt is not a number")]
    [InlineData("{\"claudeAiOauth\":[1]}", "claudeAiOauth is not an object")]
    [InlineData("\"claudeAiOauth\"", "not a JSON object")]
    public async Task Wrong_types_are_one_error(string content, string reason)
    {
        await AssertOneErrorAsync(content, reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":17")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshTo")]
    public async Task Truncated_files_are_one_error(string content)
    {
        await AssertOneErrorAsync(content, "malformed JSON");
    }

    [Fact]
    public async Task A_named_pipe_is_one_error_and_never_waited_on()
    {
        await using var box = new Sandbox();
        await Make("mkfifo", box.SettingsCopy("work"));
        await AssertOneErrorInAsync(box, "is a named pipe", special: box.SettingsCopy("work"));
    }

    [Fact]
    public async Task A_device_is_one_error_and_never_read()
    {
        await using var box = new Sandbox();
        await Make("mknod", box.SettingsCopy("work"), "c", "1", "3"); // /dev/null's numbers
        await AssertOneErrorInAsync(box, "is a character device", special: box.SettingsCopy("work"));
    }

    [Fact]
    public async Task A_file_the_refresher_may_not_read_is_one_error()
    {
        await using var box = new Sandbox();
        var path = box.SettingsCopy("work");
        box.Server.IssueCredentials("work").WriteTo(path, Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var good = Good(box);
        // Everything but the bad file belongs to the unprivileged user the refresher runs as.
        foreach (var p in new[] { box.Root, box.Settings, box.Home, good })
        {
            File.SetUnixFileMode(p, File.GetUnixFileMode(p) | (Directory.Exists(p) ? UnixFileMode.OtherExecute : 0));
            await Make("chown", "65534:65534", p);
        }

        var before = Snapshot(box.Settings);
        var result = await Run.ProcessAsync("/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", RepoPaths.Binary("refresh-tokens"), "--once"], box.Env(), timeout: DoesNotHang);
        box.Record(result.StdoutLines.Concat(result.StderrLines));

        Assert.True(result.ExitCode == 1, result.ToString());
        var error = Assert.Single(result.StdoutLines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        Assert.Contains("file=.credentials.work.json", error, StringComparison.Ordinal);
        Assert.Contains("permission denied", error, StringComparison.Ordinal);
        AssertGoodServed(result);
        Assert.Equal(before, Snapshot(box.Settings));
    }

    [Fact]
    public async Task Bad_files_before_a_due_chain_never_stop_the_daemon_cycle()
    {
        await using var box = new Sandbox();
        await Make("mkfifo", box.SettingsCopy("a-pipe"));
        File.WriteAllText(box.SettingsCopy("b-huge"), "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":1e400}}");
        File.WriteAllText(box.SettingsCopy("c-dup"), "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"accessToken\":\"b\",\"refreshToken\":\"r\",\"expiresAt\":1}}");
        var due = box.Server.IssueCredentials("zz");
        due.WriteTo(box.SettingsCopy("zz"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = Snapshot(box.Settings, box.SettingsCopy("a-pipe"));
        before.Remove(box.SettingsCopy("zz"));

        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], box.Env(null, ("CHECK_INTERVAL", "600")));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" file=.credentials.zz.json", StringComparison.Ordinal), DoesNotHang);

        // A second cycle, woken by a new due file, again gets past the same bad files.
        var late = box.Server.IssueCredentials("zz-late");
        late.WriteTo(box.SettingsCopy("zz-late"), Sandbox.InMs(TimeSpan.FromMinutes(1)));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" file=.credentials.zz-late.json", StringComparison.Ordinal), DoesNotHang);

        daemon.Signal(15);
        Assert.Equal(0, await daemon.WaitForExitAsync(DoesNotHang));
        Assert.Equal(box.Server.LatestAccessToken("zz"), Sandbox.AccessToken(box.SettingsCopy("zz")));
        var after = Snapshot(box.Settings, box.SettingsCopy("a-pipe"));
        Assert.All(before, entry => Assert.Equal(entry.Value, after[entry.Key]));
        Assert.All(daemon.Lines, l => Assert.Matches("^at=(info|warn|error) ts=\\S+Z msg=", l));
        foreach (var (file, reason) in new[] { ("a-pipe", "is a named pipe"), ("b-huge", "out of range"), ("c-dup", "duplicate key") })
        {
            Assert.Contains(daemon.Lines, l => l.Contains($"file=.credentials.{file}.json", StringComparison.Ordinal) && l.Contains(reason, StringComparison.Ordinal));
        }
    }

    private static async Task AssertOneErrorAsync(string content, string reason)
    {
        await using var box = new Sandbox();
        File.WriteAllText(box.SettingsCopy("work"), content);
        await AssertOneErrorInAsync(box, reason);
    }

    /// <summary>The bad ".credentials.work.json" is one error; ".credentials.zz.json" after it is still served.</summary>
    private static async Task AssertOneErrorInAsync(Sandbox box, string reason, string? special = null)
    {
        Good(box);
        var before = Snapshot(box.Settings, special);

        var result = await box.RunAsync(["--once"], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 1, result.ToString());
        var error = Assert.Single(result.StdoutLines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        Assert.Contains("msg=\"credential file unusable\" file=.credentials.work.json", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Empty(result.StderrLines);
        AssertGoodServed(result);
        Assert.Equal(before, Snapshot(box.Settings, special));
        Assert.Equal(0, box.Server.Stats.TokenRequests);
    }

    private static string Good(Sandbox box)
    {
        var path = box.SettingsCopy("zz");
        box.Server.IssueCredentials("zz").WriteTo(path, Sandbox.InMs(TimeSpan.FromHours(5)));
        return path;
    }

    private static void AssertGoodServed(ProcessResult result) =>
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"token valid\" file=.credentials.zz.json", StringComparison.Ordinal));

    private static string OAuthObject(string access, string refresh, long expiresAt) =>
        $"{{\"accessToken\":\"{access}\",\"refreshToken\":\"{refresh}\",\"expiresAt\":{expiresAt},\"scopes\":[\"user:inference\",\"user:profile\"]}}";

    /// <summary>Runs a system tool the test needs (mkfifo, mknod, chown); a missing one fails the test.</summary>
    private static async Task Make(string tool, params string[] args)
    {
        var result = await Run.ProcessAsync("/usr/bin/" + tool, args);
        Assert.True(result.ExitCode == 0, $"{tool} failed: {result}");
    }

    /// <summary>
    /// Every entry's name, mode and content (lock files, which locking creates, aside). A pipe or device
    /// (<paramref name="special"/>) is recorded by mode only: opening it is what must never happen.
    /// </summary>
    private static Dictionary<string, string> Snapshot(string dir, string? special = null) =>
        Directory.GetFileSystemEntries(dir)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
            .ToDictionary(f => f, f => File.GetUnixFileMode(f) + ":" +
                (f == special ? "special" : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
}
