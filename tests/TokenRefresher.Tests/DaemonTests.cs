using System.Net.Sockets;
using System.Text;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>--daemon as a real process: READY/STATUS over NOTIFY_SOCKET, file-watch wake-ups, SIGTERM.</summary>
public sealed class DaemonTests
{
    [Fact]
    public async Task Ready_after_the_first_cycle_status_per_cycle_wakes_on_new_files_and_stops_on_sigterm()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        box.Server.IssueCredentials("idle").WriteTo(box.SettingsCopy("idle"), Sandbox.InMs(TimeSpan.FromHours(6)));
        var socketPath = Path.Combine(box.Root, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new List<string>();
        var receiver = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                int n;
                try
                {
                    n = await notify.ReceiveAsync(buffer, SocketFlags.None);
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                    return;
                }

                lock (messages)
                {
                    messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        });

        var env = box.Env(null, ("NOTIFY_SOCKET", socketPath), ("CHECK_INTERVAL", "600"), ("WATCHDOG_USEC", "10000000"));
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], env);

        await daemon.WaitForLineAsync(l => l.Contains("msg=\"starting\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" file=.credentials.work.json", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await Until(() => Snapshot(messages).Contains("READY=1"), TimeSpan.FromSeconds(5));
        var first = Snapshot(messages);
        var ready = first.IndexOf("READY=1");
        Assert.True(ready > 0 && first[..ready].Any(m => m.StartsWith("STATUS=2 chains: 1 valid, 1 refreshed at ", StringComparison.Ordinal)),
            "a STATUS line precedes READY=1: " + string.Join(" | ", first));

        // A new file that is due wakes the daemon long before CHECK_INTERVAL.
        var late = box.Server.IssueCredentials("late");
        late.WriteTo(box.SettingsCopy("late"), Sandbox.InMs(TimeSpan.FromMinutes(1)));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" file=.credentials.late.json", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.NotEqual(late.AccessToken, Sandbox.AccessToken(box.SettingsCopy("late")));

        // Watchdog pings come from the loop (at most every quarter of WATCHDOG_USEC).
        await Until(() => Snapshot(messages).Contains("WATCHDOG=1"), TimeSpan.FromSeconds(5));
        await Until(() => Snapshot(messages).Any(m => m.StartsWith("STATUS=3 chains: 2 valid", StringComparison.Ordinal) || m.StartsWith("STATUS=3 chains: 3 valid", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10));

        daemon.Signal(15);
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exit);
        notify.Dispose();
        await receiver;
        Assert.All(daemon.Lines, l => Assert.Matches("^at=(info|warn|error) ts=\\S+Z msg=", l));
    }

    [Fact]
    public async Task Sigterm_during_a_hanging_refresh_waits_for_the_attempt_timeout_marks_the_chain_and_exits_0()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));
        box.Server.InjectFault(TestSupport.OAuth.OAuthFault.Hang, 5);
        box.Server.HangDuration = TimeSpan.FromSeconds(60);
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], box.Env(null, ("OAUTH_HTTP_TIMEOUT", "2")));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshing\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        // The request was sent: the server may answer with rotated tokens until the attempt times out.
        daemon.Signal(15);
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.Equal(1, box.Server.Stats.TokenRequests);
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
        Assert.True(ChainAudit.MarkedFor(box, "work", Sandbox.RefreshToken(box.SettingsCopy("work"))), "the token that may be spent is marked");
        Assert.Single(daemon.Lines, l => l.Contains("msg=\"stopping\"", StringComparison.Ordinal));
        Assert.Single(daemon.Lines, l => l.Contains("msg=\"refresh outcome unknown", StringComparison.Ordinal));
        Assert.All(daemon.Lines, l => Assert.Matches("^at=(info|warn|error) ts=\\S+Z msg=", l));
    }

    [Fact]
    public async Task Sigterm_while_waiting_for_a_chain_lock_stops_at_once_without_a_request()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));
        using var held = AiSandbox.Common.IO.FileLock.TryAcquire(box.SettingsCopy("work") + ".lock") ?? throw new InvalidOperationException("lock not free");
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], box.Env(null, ("CHAIN_LOCK_TIMEOUT", "120")));
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"starting\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        daemon.Signal(15);
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.Equal(0, box.Server.Stats.TokenRequests);
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("Hosting failed", StringComparison.Ordinal));
        Assert.Single(daemon.Lines, l => l.Contains("msg=\"stopping\"", StringComparison.Ordinal));
    }

    private static List<string> Snapshot(List<string> messages)
    {
        lock (messages)
        {
            return messages.SelectMany(m => m.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException("condition not met in " + timeout);
            }

            await Task.Delay(50);
        }
    }
}
