using AiSandbox.TestSupport;
using Xunit.Abstractions;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// Many refreshers on one chain: five <c>--once</c> loops (the settings copy and four session copies) and a
/// <c>--daemon</c>, each a separate process, with tokens that live three seconds. Single-use refresh tokens
/// mean any unlocked double refresh shows up as invalid_grant.
/// </summary>
public sealed class ContentionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Six_processes_on_one_chain_never_spend_a_refresh_token_twice_and_end_equal()
    {
        await using var box = new Sandbox();
        box.Server.TokenLifetime = TimeSpan.FromSeconds(3);
        box.Server.TokenLatency = TimeSpan.FromMilliseconds(30);
        var issued = box.Server.IssueCredentials("work");
        issued.WriteTo(box.SettingsCopy("work"));
        var sessions = Enumerable.Range(1, 4).Select(i => box.SessionCopy("work", $"27_Fri_07-0{i}", issued)).ToList();
        var dirs = new[] { box.Settings }.Concat(sessions.Select(s => Path.GetDirectoryName(s)!)).ToList();

        Dictionary<string, string?> EnvFor(string dir) => box.Env(dir, ("REFRESH_BEFORE", "2"), ("CHECK_INTERVAL", "1"), ("CHAIN_LOCK_TIMEOUT", "20"));
        var failures = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var runs = 0;
        async Task LoopAsync(string dir)
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await box.RunAsync(["--once"], EnvFor(dir));
                Interlocked.Increment(ref runs);
                if (r.ExitCode != 0)
                {
                    lock (failures)
                    {
                        failures.Add(r.ToString());
                    }
                }

                await Task.Delay(20);
            }
        }

        await using (var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], EnvFor(dirs[1])))
        {
            await Task.WhenAll(dirs.Select(d => Task.Run(() => LoopAsync(d))));
            Assert.DoesNotContain(daemon.Lines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        }

        output.WriteLine($"{runs} --once runs, {box.Server.Stats.Refreshed} refreshes, {box.Server.Stats.InvalidGrants} invalid_grant");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(3)));
        Assert.Equal(0, box.Server.Stats.InvalidGrants);
        Assert.True(box.Server.Stats.Refreshed >= 3, $"only {box.Server.Stats.Refreshed} refreshes in {runs} runs");

        // Settle: one pass per copy with a long lifetime; then every copy holds the newest, valid tokens.
        box.Server.TokenLifetime = TimeSpan.FromHours(1);
        foreach (var dir in dirs)
        {
            var r = await box.RunAsync(["--once"], box.Env(dir, ("REFRESH_BEFORE", "10")));
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        var copies = new[] { box.SettingsCopy("work") }.Concat(sessions).ToList();
        var newest = Sandbox.AccessToken(box.SettingsCopy("work"));
        Assert.All(copies, c => Assert.Equal(newest, Sandbox.AccessToken(c)));
        Assert.All(copies, c => Assert.Equal(Sandbox.RefreshToken(box.SettingsCopy("work")), Sandbox.RefreshToken(c)));
        Assert.True(box.Server.IsAccessTokenValid(newest));
        Assert.True(box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(box.SettingsCopy("work"))));
        Assert.Equal(0, box.Server.Stats.InvalidGrants);
        Assert.All(copies, c => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(c)));
    }
}
