using AiSandbox.Common.IO;
using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// --daemon as systemd runs it: watchdog pings that come from the work loop (also while a cycle waits for
/// a chain lock), options it cannot work with refused at start with one line and exit 2, and a file watch
/// that follows ~/.claude when it is re-pointed to another session.
/// </summary>
public sealed class DaemonLivenessTests
{
    [Fact]
    public async Task A_cycle_waiting_for_a_held_chain_lock_keeps_feeding_the_watchdog()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        using var notify = new NotifySocket(Path.Combine(box.Root, "notify.sock"));

        // Another process holds the chain for longer than the watchdog timeout.
        var held = FileLock.TryAcquire(box.SettingsCopy("work") + ".lock");
        Assert.NotNull(held);
        var env = box.Env(null, ("NOTIFY_SOCKET", notify.Path), ("WATCHDOG_USEC", "2400000"), ("OAUTH_HTTP_TIMEOUT", "1"),
            ("OAUTH_HTTP_RETRIES", "0"), ("CHAIN_LOCK_TIMEOUT", "120"));
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], env);
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"starting\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        // Pings go out at most every quarter of the timeout: four of them span more than the timeout,
        // all during the first cycle (no READY=1 yet, nothing refreshed).
        await Until(() => notify.Messages.Count(m => m == "WATCHDOG=1") >= 4, TimeSpan.FromSeconds(30), () => string.Join(" | ", notify.Messages));
        Assert.DoesNotContain("READY=1", notify.Messages);
        Assert.Equal(0, box.Server.Stats.Refreshed);

        held!.Dispose();
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" file=.credentials.work.json", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await Until(() => notify.Messages.Contains("READY=1"), TimeSpan.FromSeconds(10), () => string.Join(" | ", notify.Messages));
    }

    [Theory]
    [InlineData("CHECK_INTERVAL", "31536000", "CHECK_INTERVAL must be at most 86400 seconds for --daemon")]
    [InlineData("WATCHDOG_USEC", "500000", "WATCHDOG_USEC must be at least 1000000")]
    public async Task Options_the_daemon_cannot_keep_are_refused_with_one_fatal_line_and_exit_2(string variable, string value, string message)
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(6)));
        var before = System.IO.File.ReadAllText(box.SettingsCopy("work"));

        var result = await box.RunAsync(["--daemon"], box.Env(null, (variable, value)), timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("at=fatal msg=\"" + message, line, StringComparison.Ordinal);
        Assert.Contains($"variable=\"{variable}\" value=\"{value}\"", line, StringComparison.Ordinal);
        Assert.Empty(result.StdoutLines);
        Assert.Equal(before, System.IO.File.ReadAllText(box.SettingsCopy("work")));
    }

    [Fact]
    public async Task The_file_watch_follows_claude_dir_when_it_is_re_pointed_to_another_session()
    {
        await using var box = new Sandbox();
        var first = Path.Combine(box.Root, "sessions", "first");
        var second = Path.Combine(box.Root, "sessions", "second");
        Directory.CreateDirectory(first);
        Directory.CreateDirectory(second);
        var claude = Path.Combine(box.Home, ".claude");
        File.CreateSymbolicLink(claude, first);
        var env = box.Env(claude, ("CHECK_INTERVAL", "3600"));
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], env);
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"no credential files found\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        // A new session: ~/.claude is replaced by a link to its home (as the launcher does, atomically).
        AtomicSymlink.Replace(claude, second);
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"no credential files found\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        // A credential file that is due, written into the new session, is refreshed without waiting an hour.
        var late = box.Server.IssueCredentials("late");
        late.WriteTo(Path.Combine(second, ".credentials.late.json"), Sandbox.InMs(TimeSpan.FromMinutes(1)));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" file=.credentials.late.json", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.NotEqual(late.AccessToken, Sandbox.AccessToken(Path.Combine(second, ".credentials.late.json")));
    }

    private static async Task Until(Func<bool> condition, TimeSpan bound, Func<string> diagnostics)
    {
        using var cts = new CancellationTokenSource(bound);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"condition not met within {bound.TotalSeconds}s: {diagnostics()}");
            }

            await Task.Delay(50);
        }
    }
}
