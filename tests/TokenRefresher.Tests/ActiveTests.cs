namespace AiSandbox.TokenRefresher.Tests;

/// <summary>--list-active, --find-active, --copy-active over a history tree (behaviors 103-106).</summary>
public sealed class ActiveTests
{
    [Fact]
    public async Task List_prints_header_and_only_unexpired_recent_copies_with_a_profile_freshest_first()
    {
        await using var box = new Sandbox();
        var a1 = box.SessionCopy("alpha", "27_Fri_01-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(1)));
        var a2 = box.SessionCopy("alpha", "27_Fri_02-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(3)));
        var b = box.SessionCopy("beta", "27_Fri_03-00", box.Server.IssueCredentials("beta"), Sandbox.InMs(TimeSpan.FromHours(2)));
        box.SessionCopy("alpha", "27_Fri_04-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(-1)));
        var old = box.SessionCopy("alpha", "20_Fri_04-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(5)));
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-3));
        var noProfile = Path.Combine(box.History, "2026", "11_Nov", "27_Fri_05-00_claude");
        Directory.CreateDirectory(noProfile);
        box.Server.IssueCredentials("x").WriteTo(Path.Combine(noProfile, ".credentials.json"), Sandbox.InMs(TimeSpan.FromHours(6)));

        var all = await box.RunAsync("--list-active");
        var alpha = await box.RunAsync("--list-active", "alpha");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"alpha\t{Human(a2)}\t{a2}", $"beta\t{Human(b)}\t{b}", $"alpha\t{Human(a1)}\t{a1}"], all.StdoutLines);
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"alpha\t{Human(a2)}\t{a2}", $"alpha\t{Human(a1)}\t{a1}"], alpha.StdoutLines);
    }

    [Fact]
    public async Task List_with_nothing_prints_the_header_and_exits_0()
    {
        await using var box = new Sandbox();
        var result = await box.RunAsync("--list-active");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH"], result.StdoutLines);
    }

    [Fact]
    public async Task Find_prints_the_latest_and_exits_1_when_none()
    {
        await using var box = new Sandbox();
        box.SessionCopy("alpha", "27_Fri_01-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(1)));
        var latest = box.SessionCopy("alpha", "27_Fri_02-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(4)));

        var found = await box.RunAsync("--find-active", "alpha");
        var none = await box.RunAsync("--find-active", "gamma");

        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Equal([latest], found.StdoutLines);
        Assert.Equal(1, none.ExitCode);
        Assert.Empty(none.StdoutLines);
    }

    [Fact]
    public async Task Copy_writes_the_latest_with_mode_600_and_logs_it()
    {
        await using var box = new Sandbox();
        var latest = box.SessionCopy("alpha", "27_Fri_02-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(4)));
        var dest = Path.Combine(box.Root, "dest", ".credentials.json");
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);

        var result = await box.RunAsync("--copy-active", "alpha", dest);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllText(latest), File.ReadAllText(dest));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, Sandbox.Mode(dest));
        Assert.Contains(result.StdoutLines, l => l.Contains($"msg=\"copied active credentials\" profile=\"alpha\" source=\"{latest}\" destination=\"{dest}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Copy_to_a_missing_directory_fails_with_exit_1()
    {
        await using var box = new Sandbox();
        box.SessionCopy("alpha", "27_Fri_02-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(4)));
        var dest = Path.Combine(box.Root, "missing", ".credentials.json");

        var result = await box.RunAsync("--copy-active", "alpha", dest);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StderrLines, l => l.Contains("msg=\"destination directory not found\"", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.GetDirectoryName(dest)));
    }

    [Fact]
    public async Task Copy_never_replaces_a_destination_that_is_newer()
    {
        await using var box = new Sandbox();
        box.SessionCopy("alpha", "27_Fri_02-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(2)));
        var dest = Path.Combine(box.Root, "dest.json");
        box.Server.IssueCredentials("alpha").WriteTo(dest, Sandbox.InMs(TimeSpan.FromHours(6)));
        var before = File.ReadAllText(dest);

        var result = await box.RunAsync("--copy-active", "alpha", dest);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(before, File.ReadAllText(dest));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("-1")]
    public async Task Invalid_history_window_fails_every_search_with_one_clear_error(string days)
    {
        await using var box = new Sandbox();
        box.SessionCopy("alpha", "27_Fri_02-00", box.Server.IssueCredentials("alpha"), Sandbox.InMs(TimeSpan.FromHours(4)));
        var dest = Path.Combine(box.Root, "dest.json");
        var env = box.Env(null, ("HISTORY_DAYS", days));

        var find = await box.RunAsync(["--find-active", "alpha"], env);
        var list = await box.RunAsync(["--list-active"], env);
        var copy = await box.RunAsync(["--copy-active", "alpha", dest], env);

        foreach (var r in new[] { find, list, copy })
        {
            Assert.Equal(1, r.ExitCode);
            Assert.Empty(r.StdoutLines);
            Assert.Contains(r.StderrLines, l => l == $"at=error ts={l[12..32]} msg=\"invalid history search window\" days={(days.Length == 0 ? "\"\"" : days)}");
        }

        Assert.Contains(copy.StderrLines, l => l.Contains("msg=\"no active credentials found\"", StringComparison.Ordinal));
        Assert.False(File.Exists(dest));
    }

    private static string Human(string path) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Sandbox.ExpiresAt(path)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
