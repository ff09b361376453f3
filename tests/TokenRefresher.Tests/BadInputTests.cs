using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>Bad files, environment and arguments: one clear line each, a non-zero exit where the command failed, nothing changed.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",", "malformed JSON")]
    [InlineData("[1,2,3]", "not a JSON object")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":\"1767225600000\"}}", "expiresAt is not a number")]
    [InlineData("{\"claudeAiOauth\":{\"accessToken\":7,\"refreshToken\":\"r\",\"expiresAt\":1}}", "accessToken is not a string")]
    [InlineData("{\"claudeAiOauth\":\"nope\"}", "claudeAiOauth is not an object")]
    public async Task Unusable_file_is_one_error_exit_1_and_left_as_it_was(string content, string reason)
    {
        await using var box = new Sandbox();
        var path = box.SettingsCopy("work");
        File.WriteAllText(path, content);
        var good = box.Server.IssueCredentials("good");
        good.WriteTo(box.SettingsCopy("good"), Sandbox.InMs(TimeSpan.FromHours(5)));
        var before = Snapshot(box.Settings);

        var result = await box.RunAsync("--once");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StdoutLines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        Assert.Contains("msg=\"credential file unusable\" file=.credentials.work.json", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"token valid\" file=.credentials.good.json", StringComparison.Ordinal));
        Assert.Equal(before, Snapshot(box.Settings));
        Assert.Equal(0, box.Server.Stats.TokenRequests);
    }

    [Fact]
    public async Task Missing_keys_warn_no_refresh_token_and_exit_1()
    {
        await using var box = new Sandbox();
        File.WriteAllText(box.SettingsCopy("work"), "{\"claudeAiOauth\":{}}");
        var before = Snapshot(box.Settings);

        var result = await box.RunAsync("--once");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("msg=\"no refresh token\" file=.credentials.work.json", Assert.Single(result.StdoutLines), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(box.Settings));
    }

    [Fact]
    public async Task A_50_MB_file_is_refused_quickly_without_reading_it_all()
    {
        await using var box = new Sandbox();
        var path = box.SettingsCopy("huge");
        using (var f = File.Create(path))
        {
            f.SetLength(50L * 1024 * 1024);
        }

        var result = await box.RunAsync("--once");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is larger than 1048576 bytes", Assert.Single(result.StdoutLines), StringComparison.Ordinal);
        Assert.Equal(50L * 1024 * 1024, new FileInfo(path).Length);
    }

    [Fact]
    public async Task Unreadable_credentials_dir_is_one_error_and_exit_1()
    {
        await using var box = new Sandbox();
        File.SetUnixFileMode(box.Root, (UnixFileMode)0x1ED /* 0755 */);
        File.SetUnixFileMode(box.Settings, (UnixFileMode)0x1ED);
        var locked = Path.Combine(box.Root, "locked");
        Directory.CreateDirectory(locked);
        box.Server.IssueCredentials("work").WriteTo(Path.Combine(locked, ".credentials.work.json"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        File.SetUnixFileMode(locked, UnixFileMode.None);
        var env = box.Env(locked, ("HOME", "/tmp"));

        var result = await Run.ProcessAsync("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", RepoPaths.Binary("refresh-tokens"), "--once"], env);
        box.Record(result.StdoutLines.Concat(result.StderrLines));
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StdoutLines);
        Assert.Contains("msg=\"credentials dir unreadable\"", error, StringComparison.Ordinal);
        Assert.Contains(locked, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CHECK_INTERVAL", "abc")]
    [InlineData("REFRESH_BEFORE", "-5")]
    [InlineData("CLAUDE_OAUTH_TOKEN_URL", "ftp://x")]
    [InlineData("OAUTH_HTTP_TIMEOUT", "0")]
    public async Task Bad_environment_is_one_fatal_line_naming_the_variable_and_exit_2(string variable, string value)
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = Snapshot(box.Settings);

        var result = await box.RunAsync(["--once"], box.Env(null, (variable, value)));

        Assert.Equal(2, result.ExitCode);
        var fatal = Assert.Single(result.StderrLines);
        Assert.StartsWith("at=fatal", fatal, StringComparison.Ordinal);
        Assert.Contains($"variable=\"{variable}\"", fatal, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(box.Settings));
    }

    [Theory]
    [InlineData(new[] { "--find-active" }, "msg=\"--find-active requires a profile\" option=\"--find-active\"")]
    [InlineData(new[] { "--copy-active", "alpha" }, "msg=\"--copy-active requires a profile and a destination\" option=\"--copy-active\"")]
    [InlineData(new[] { "--once", "extra" }, "msg=\"unexpected argument\" arg=\"extra\"")]
    [InlineData(new[] { "--daemon", "x" }, "msg=\"unexpected argument\" arg=\"x\"")]
    [InlineData(new[] { "--login", "a", "b" }, "msg=\"unexpected argument\" arg=\"b\"")]
    [InlineData(new[] { "--list-active", "a", "b" }, "msg=\"unexpected argument\" arg=\"b\"")]
    [InlineData(new[] { "--find-active", "../etc" }, "msg=\"invalid profile\" profile=\"../etc\"")]
    [InlineData(new[] { "--once", "--daemon" }, "msg=\"unknown option\" option=\"--daemon\"")]
    [InlineData(new[] { "--bogus" }, "msg=\"unknown option\" option=\"--bogus\"")]
    public async Task Bad_arguments_are_one_fatal_line_plus_usage_and_exit_2(string[] args, string expected)
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = Snapshot(box.Settings);

        var result = await box.RunAsync(args, box.Env());

        Assert.Equal(2, result.ExitCode);
        var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=", StringComparison.Ordinal));
        Assert.Equal("at=fatal " + expected, fatal);
        Assert.Contains("Usage: refresh-tokens", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutLines);
        Assert.Equal(before, Snapshot(box.Settings));
    }

    [Fact]
    public async Task No_arguments_print_usage_and_exit_0()
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync([], box.Env());
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: refresh-tokens", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Every file's name, mode and content (lock files, which locking creates, aside).</summary>
    private static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFiles(dir)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
            .ToDictionary(f => f, f => File.GetUnixFileMode(f) + ":" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
