using AiSandbox.TestSupport.OAuth;
using Xunit.Abstractions;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// The stop matrix: SIGTERM (systemctl stop, podman stop, x) delivered at the one moment that matters, when
/// the server has rotated the refresh token and holds the answer. The client must wait for that answer
/// (bounded by its own attempt timeout), write it, settings copy first, and exit cleanly; many runs, for
/// --once, the daemon's first cycle (inside host start) and a later cycle.
/// </summary>
public sealed class StopMatrixTests(ITestOutputHelper output)
{
    public enum Mode
    {
        Once,
        DaemonFirstCycle,
        DaemonLaterCycle,
    }

    [Theory]
    [InlineData(Mode.Once, null, 10)]
    [InlineData(Mode.DaemonFirstCycle, null, 10)]
    [InlineData(Mode.DaemonLaterCycle, null, 6)]
    [InlineData(Mode.Once, OAuthFault.RotateThenLate, 3)]
    [InlineData(Mode.DaemonFirstCycle, OAuthFault.RotateThenLate, 3)]
    [InlineData(Mode.Once, OAuthFault.RotateThenBadGateway, 3)]
    [InlineData(Mode.DaemonLaterCycle, OAuthFault.RotateThenClose, 3)]
    public async Task Sigterm_while_the_server_holds_the_rotated_answer_loses_nothing(Mode mode, OAuthFault? fault, int runs)
    {
        var ends = new List<ChainEnd>();
        for (var run = 0; run < runs; run++)
        {
            ends.Add(await StopOnceAtRotationAsync(mode, fault));
        }

        output.WriteLine($"| SIGTERM at rotation, {mode}, {fault?.ToString() ?? "answer 200"} | {runs} | {ends.Count(e => e == ChainEnd.Lost)} |");
    }

    /// <summary>
    /// systemd's watchdog (SIGABRT, which no process can finish a request through) must never fire while a
    /// request is in flight, so pings go on while the server holds the rotated answer.
    /// </summary>
    [Fact]
    public async Task Watchdog_pings_keep_arriving_while_the_server_holds_the_rotated_answer()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var socketPath = Path.Combine(box.Root, "notify.sock");
        using var notify = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        notify.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        var pings = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var receiver = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                int n;
                try
                {
                    n = await notify.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None);
                }
                catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
                {
                    pings.Writer.TryComplete();
                    return;
                }

                foreach (var message in System.Text.Encoding.UTF8.GetString(buffer, 0, n).Split('\n'))
                {
                    if (message == "WATCHDOG=1")
                    {
                        pings.Writer.TryWrite(message);
                    }
                }
            }
        });

        var held = 0;
        box.Server.Rotated = async () =>
        {
            // Drop the pings sent before the request; three more must come while it is held (1 s watchdog, 30 s attempt).
            while (pings.Reader.TryRead(out _))
            {
            }

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            for (var i = 0; i < 3; i++)
            {
                await pings.Reader.ReadAsync(bound.Token);
                held++;
            }
        };

        var env = box.Env(null, ("NOTIFY_SOCKET", socketPath), ("WATCHDOG_USEC", "1000000"), ("OAUTH_HTTP_TIMEOUT", "30"), ("CHECK_INTERVAL", "600"));
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], env);
        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        Assert.Equal(3, held);
        Assert.True(box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(box.SettingsCopy("work"))));
        daemon.Signal(15);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        notify.Dispose();
        await receiver;
    }

    private static async Task<ChainEnd> StopOnceAtRotationAsync(Mode mode, OAuthFault? fault)
    {
        await using var box = new Sandbox();
        var issued = box.Server.IssueCredentials("work");
        var due = Sandbox.InMs(TimeSpan.FromMinutes(5));
        var firstExpiry = mode == Mode.DaemonLaterCycle ? Sandbox.InMs(TimeSpan.FromHours(6)) : due;
        issued.WriteTo(box.SettingsCopy("work"), firstExpiry);
        var session = box.SessionCopy("work", "27_Fri_08-00", issued, firstExpiry);
        var env = box.Env(Path.GetDirectoryName(session), ("OAUTH_HTTP_TIMEOUT", "2"), ("CHECK_INTERVAL", "600"));
        box.Server.HangDuration = TimeSpan.FromSeconds(30);
        if (fault is { } f)
        {
            box.Server.InjectFault(f);
        }

        var started = new TaskCompletionSource<LiveProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        var signals = 0;
        box.Server.Rotated = async () =>
        {
            var client = await started.Task;
            if (Interlocked.Increment(ref signals) > 1)
            {
                return;
            }

            client.Signal(15);
            try
            {
                // The client says it is stopping; only then may the answer go out. A client that died of the
                // signal says nothing, and its chain is judged below.
                await client.WaitForLineAsync(l => l.Contains("msg=\"stopping\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
            }
        };

        var command = mode == Mode.Once ? "--once" : "--daemon";
        await using var process = new LiveProcess(box, "refresh-tokens", [command], env);
        if (mode == Mode.DaemonLaterCycle)
        {
            await process.WaitForLineAsync(l => l.Contains("msg=\"token valid\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            started.SetResult(process);

            // Both copies enter their refresh window: the file watch wakes the daemon for a cycle that refreshes.
            foreach (var copy in new[] { box.SettingsCopy("work"), session })
            {
                var temp = Path.Combine(box.Root, "incoming.json");
                issued.WriteTo(temp, due);
                File.Move(temp, copy, overwrite: true);
            }
        }
        else
        {
            started.SetResult(process);
        }

        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var lines = process.Lines;
        var all = string.Join('\n', lines);
        Assert.Equal(1, signals);
        Assert.Equal(0, box.Server.Stats.SpentTokenRequests);

        var end = ChainAudit.Judge(box, "work", box.SettingsCopy("work"), session);
        if (fault is null)
        {
            Assert.True(end == ChainEnd.Live, $"{mode}: the settings copy is not on the live chain ({end}):\n{all}");
            Assert.True(box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(box.SettingsCopy("work"))));
            Assert.Contains(lines, l => l.Contains("msg=\"refreshed\"", StringComparison.Ordinal));
            Assert.True(exit == 0, $"exit {exit}:\n{all}");
        }
        else
        {
            Assert.True(end == ChainEnd.MarkedNeedsLogin, $"{mode} {fault}: {end}:\n{all}");
            Assert.True(exit == (mode == Mode.Once ? 1 : 0), $"exit {exit}:\n{all}");
        }

        // A clean stop: one line says so, and nothing else but ordinary logfmt lines.
        Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("Hosting failed", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("msg=\"stopping\"", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Matches("^at=(info|warn|error) ts=\\S+Z msg=", l));
        return end;
    }
}
