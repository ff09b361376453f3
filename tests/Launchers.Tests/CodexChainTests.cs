using AiSandbox.Common.IO;
using AiSandbox.Launchers.Tests.Support;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

/// <summary>
/// Codex's shared auth.json never moves back: concurrent <c>cx</c> sessions whose codex refreshes on its
/// own schedule, and <c>codex-login</c> racing a sync-back, always leave the newest, unspent tokens.
/// </summary>
public sealed class CodexChainTests(StubAgent stub, CodexStandIn codex) : IClassFixture<StubAgent>, IClassFixture<CodexStandIn>
{
    [Fact]
    public async Task A_session_that_did_not_refresh_never_rolls_back_a_refresh_another_session_gave_back()
    {
        await using var rig = new CodexRig(stub, codex);
        rig.Seed();

        var a = rig.Start("a", $"touch:{rig.Signal("a.ready")},wait:{rig.Signal("a.exit")}");
        await rig.WaitForAsync("a.ready");
        var b = rig.Start("b", "refresh");
        var bExit = await b.ExitAsync();
        Assert.True(bExit.ExitCode == 0, bExit.ToString());
        Assert.Equal(["ok"], rig.RefreshLog("b"));
        rig.AssertSharedIsNewestAndLive("after B gave its refresh back");

        rig.Touch("a.exit");
        var aExit = await a.ExitAsync();

        Assert.True(aExit.ExitCode == 0, aExit.ToString());
        rig.AssertSharedIsNewestAndLive("A exited without refreshing after B");
        rig.Server.AssertNoSecrets(aExit.StderrLines.Concat(aExit.StdoutLines).Concat(bExit.StderrLines).Concat(bExit.StdoutLines), "cx output");
    }

    [Theory]
    [InlineData(2, 11)]
    [InlineData(2, 12)]
    [InlineData(3, 21)]
    [InlineData(3, 22)]
    public async Task Concurrent_sessions_in_any_order_leave_the_newest_live_tokens_in_the_shared_copy(int sessions, int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 3; round++)
        {
            await using var rig = new CodexRig(stub, codex);
            rig.Seed();

            // Each session: start, refresh 0-2 times, exit; the sessions' steps interleave at random.
            var steps = new List<Queue<string>>();
            for (var i = 0; i < sessions; i++)
            {
                var mine = new Queue<string>();
                mine.Enqueue("start");
                for (var r = random.Next(3); r > 0; r--)
                {
                    mine.Enqueue("refresh");
                }

                mine.Enqueue("exit");
                steps.Add(mine);
            }

            var running = new RunningCx?[sessions];
            var refreshes = new int[sessions];
            var trace = new List<string>();
            while (steps.Any(s => s.Count > 0))
            {
                var pending = Enumerable.Range(0, sessions).Where(i => steps[i].Count > 0).ToList();
                var i = pending[random.Next(pending.Count)];
                var step = steps[i].Dequeue();
                var name = $"s{i}";
                trace.Add(name + ":" + step);
                switch (step)
                {
                    case "start":
                        var plan = Enumerable.Range(0, steps[i].Count(s => s == "refresh"))
                            .SelectMany(n => new[] { $"wait:{rig.Signal($"{name}.go{n}")}", "refresh", $"touch:{rig.Signal($"{name}.done{n}")}" })
                            .Prepend($"touch:{rig.Signal(name + ".ready")}")
                            .Append($"wait:{rig.Signal(name + ".exit")}");
                        running[i] = rig.Start(name, string.Join(',', plan));
                        await rig.WaitForAsync(name + ".ready");
                        break;
                    case "refresh":
                        rig.Touch($"{name}.go{refreshes[i]}");
                        await rig.WaitForAsync($"{name}.done{refreshes[i]}");
                        refreshes[i]++;
                        break;
                    default:
                        rig.Touch(name + ".exit");
                        var result = await running[i]!.ExitAsync();
                        Assert.True(result.ExitCode == 0, result.ToString());
                        rig.Server.AssertNoSecrets(result.StderrLines.Concat(result.StdoutLines), "cx output");
                        break;
                }
            }

            rig.AssertSharedIsNewestAndLive($"seed {seed} round {round}: {string.Join(' ', trace)}");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Free_running_sessions_leave_the_newest_live_tokens_in_the_shared_copy(int sessions)
    {
        var random = new Random(sessions * 31);
        for (var round = 0; round < 3; round++)
        {
            await using var rig = new CodexRig(stub, codex);
            rig.Seed();
            var started = new List<RunningCx>();
            for (var i = 0; i < sessions; i++)
            {
                var plan = Enumerable.Range(0, 1 + random.Next(3)).SelectMany(_ => new[] { $"sleep:{random.Next(40)}", "refresh" }).Append($"sleep:{random.Next(40)}");
                started.Add(rig.Start($"s{i}", string.Join(',', plan)));
            }

            foreach (var session in started)
            {
                var result = await session.ExitAsync();
                Assert.True(result.ExitCode == 0, result.ToString());
            }

            Assert.Contains("ok", Enumerable.Range(0, sessions).SelectMany(i => rig.RefreshLog($"s{i}")));
            rig.AssertSharedIsNewestAndLive($"round {round}");
        }
    }

    [Fact]
    public async Task Codex_login_and_a_sync_back_never_interleave_and_the_login_stays()
    {
        await using var rig = new CodexRig(stub, codex);
        rig.Seed();
        var session = rig.Start("s", $"touch:{rig.Signal("s.ready")},wait:{rig.Signal("s.go")},refresh");
        await rig.WaitForAsync("s.ready");

        // Hold the chain lock so the session's sync-back and the login both reach it before either writes.
        Task<ProcessResult> login;
        using (var held = FileLock.TryAcquire(rig.SharedAuth + ".lock") ?? throw new InvalidOperationException("the chain lock is taken"))
        {
            rig.Touch("s.go");
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            while (rig.RefreshLog("s").Count == 0)
            {
                Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(60), "the session's codex never refreshed");
                await Task.Delay(5);
            }

            login = Run.CommandAsync("codex-login", [CodexRig.Profile], new Dictionary<string, string?>
            {
                ["CODEX_SETTINGS_DIR"] = Path.GetDirectoryName(rig.SharedAuth),
                ["CODEX_ISSUER"] = rig.Server.Issuer,
            });

            // Let go once the login holds its tokens (it then waits for the lock) or, without a lock, finished.
            while (rig.Server.Stats.CodeExchanges == 0 && !login.IsCompleted)
            {
                Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(60), "the login never exchanged its code");
                await Task.Delay(5);
            }
        }

        var loginResult = await login;
        var sessionResult = await session.ExitAsync();

        Assert.True(loginResult.ExitCode == 0, loginResult.ToString());
        Assert.True(sessionResult.ExitCode == 0, sessionResult.ToString());
        Assert.Equal(["ok"], rig.RefreshLog("s"));
        rig.AssertSharedIsNewestAndLive("the login came after the session's refresh");
        rig.Server.AssertNoSecrets(loginResult.StdoutLines.Concat(loginResult.StderrLines).Concat(sessionResult.StderrLines), "output");
    }

    [Fact]
    public async Task A_hung_up_terminal_still_gives_the_refresh_back()
    {
        await using var rig = new CodexRig(stub, codex);
        rig.Seed();
        var session = rig.Start("s", $"refresh,pid:{rig.Signal("s.pid")},wait:{rig.Signal("never")}");
        await rig.WaitForAsync("s.pid");
        Assert.Equal(["ok"], rig.RefreshLog("s"));

        // What closing the terminal does: SIGHUP to the whole foreground group, cx and codex alike.
        var codexPid = int.Parse(File.ReadAllText(rig.Signal("s.pid")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, Kill(session.Pid, 1));
        Assert.Equal(0, Kill(codexPid, 1));
        var result = await session.ExitAsync();

        rig.AssertSharedIsNewestAndLive("cx was hung up after codex refreshed: " + result);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [Fact]
    public async Task A_resumed_session_holding_a_newer_refresh_starts_from_it_and_gives_it_back()
    {
        await using var rig = new CodexRig(stub, codex);
        rig.Seed();

        // A session whose sync-back never happened (its sandbox was stopped): its copy is newer than the shared one.
        var first = rig.Start("first", "refresh");
        Assert.Equal(0, (await first.ExitAsync()).ExitCode);
        var home = Assert.Single(rig.Box.SessionHomes("codex"));
        var newer = File.ReadAllBytes(Path.Combine(home, "auth.json"));
        rig.Seed();
        var rollout = Path.Combine(home, "sessions", "2026", "08", "20");
        Directory.CreateDirectory(rollout);
        File.WriteAllText(Path.Combine(rollout, "rollout-2026-08-20T10-00-00-33334444-aaaa-4bbb-8ccc-123456789abc.jsonl"), "{}\n");
        File.WriteAllBytes(Path.Combine(home, "auth.json"), newer);
        var (newerAccess, _, _) = CodexRig.Tokens(Path.Combine(home, "auth.json"));

        var resumed = await rig.Box.RunAsync("cx", ["--resume", "33334444"], env => env["PATH"] = rig.Box.Stub.BinDir + ":/usr/bin:/bin");

        Assert.True(resumed.Result.ExitCode == 0, resumed.ToString());
        Assert.Equal(newerAccess, CodexRig.Tokens(rig.SharedAuth).Access);
        Assert.Equal(newerAccess, CodexRig.Tokens(Path.Combine(home, "auth.json")).Access);
    }
}
