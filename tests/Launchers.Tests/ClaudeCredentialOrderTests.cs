using AiSandbox.Common.IO;
using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

/// <summary>
/// The credential step of <c>c</c>, <c>c --resume</c> and <c>claude-login</c> never moves a session copy
/// back in time, and a session home names its profile before it holds credentials.
/// </summary>
public sealed class ClaudeCredentialOrderTests(StubAgent stub) : IClassFixture<StubAgent>
{
    private static string Credentials(string access, string refresh, long expiresAt) =>
        "{\"claudeAiOauth\":{\"accessToken\":\"" + access + "\",\"refreshToken\":\"" + refresh + "\",\"expiresAt\":" + expiresAt + ",\"scopes\":[\"user:inference\"]}}";

    private static string Session(LauncherSandbox box, string id, string profile)
    {
        var home = Path.Combine(box.History, "2026", "08_Aug", "20_Thu_10-00_claude");
        Directory.CreateDirectory(Path.Combine(home, "projects", "-app"));
        File.WriteAllText(Path.Combine(home, "projects", "-app", id + ".jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(home, ".profile"), profile + "\n");
        return home;
    }

    [Fact]
    public async Task Resume_keeps_an_expired_session_copy_that_is_newer_than_the_expired_settings_copy()
    {
        using var box = new LauncherSandbox(stub);
        File.WriteAllText(Path.Combine(box.Settings, ".credentials.alpha.json"), Credentials("at-settings", "rt-older", LauncherSandbox.InHours(-3)));
        var home = Session(box, "5555aaaa-0000-4000-8000-000000000005", "alpha");
        var sessionCopy = Credentials("at-session", "rt-newer", LauncherSandbox.InHours(-1));
        File.WriteAllText(Path.Combine(home, ".credentials.json"), sessionCopy);

        var run = await box.RunAsync("c", ["--resume", "5555aaaa"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(sessionCopy, File.ReadAllText(Path.Combine(home, ".credentials.json")));
    }

    [Fact]
    public async Task Resume_takes_an_expired_settings_copy_that_is_newer_than_the_session_copy()
    {
        using var box = new LauncherSandbox(stub);
        var settings = Credentials("at-settings", "rt-newer", LauncherSandbox.InHours(-1));
        File.WriteAllText(Path.Combine(box.Settings, ".credentials.alpha.json"), settings);
        var home = Session(box, "6666aaaa-0000-4000-8000-000000000006", "alpha");
        File.WriteAllText(Path.Combine(home, ".credentials.json"), Credentials("at-session", "rt-older", LauncherSandbox.InHours(-3)));

        var run = await box.RunAsync("c", ["--resume", "6666aaaa"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(settings, File.ReadAllText(Path.Combine(home, ".credentials.json")));
    }

    [Fact]
    public async Task A_new_session_with_no_valid_copy_starts_from_the_newest_expired_one_in_history()
    {
        using var box = new LauncherSandbox(stub);
        File.WriteAllText(Path.Combine(box.Settings, ".credentials.alpha.json"), Credentials("at-settings", "rt-older", LauncherSandbox.InHours(-3)));
        var other = Session(box, "8888", "alpha");
        var newest = Credentials("at-other", "rt-newest", LauncherSandbox.InHours(-1));
        File.WriteAllText(Path.Combine(other, ".credentials.json"), newest);

        var run = await box.RunAsync("c", ["alpha"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        var session = Assert.Single(box.SessionHomes("claude"), h => h != other);
        Assert.Equal(newest, File.ReadAllText(Path.Combine(session, ".credentials.json")));
    }

    [Fact]
    public async Task Claude_login_keeps_a_session_copy_newer_than_the_expired_settings_copy()
    {
        using var box = new LauncherSandbox(stub);
        File.WriteAllText(Path.Combine(box.Settings, ".credentials.alpha.json"), Credentials("at-settings", "rt-older", LauncherSandbox.InHours(-3)));
        var home = Session(box, "7777", "alpha");
        File.CreateSymbolicLink(Path.Combine(box.Home, ".claude"), home);
        var sessionCopy = Credentials("at-session", "rt-newer", LauncherSandbox.InHours(-1));
        File.WriteAllText(Path.Combine(home, ".credentials.json"), sessionCopy);

        var run = await box.RunAsync("claude-login", []);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(["Login kept: this session holds the newest copy (profile: alpha)"], run.Result.StdoutLines);
        Assert.Equal(sessionCopy, File.ReadAllText(Path.Combine(home, ".credentials.json")));
    }

    [Fact]
    public async Task A_new_session_names_its_profile_before_it_waits_for_the_chain()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("alpha", LauncherSandbox.InHours(5));

        Task<LaunchResult> run;
        string home;
        using (FileLock.TryAcquire(Path.Combine(box.Settings, ".credentials.alpha.json.lock")) ?? throw new InvalidOperationException("the chain lock is taken"))
        {
            run = box.RunAsync("c", ["alpha"]);
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            while (box.SessionHomes("claude") is not [var only] || !File.Exists(Path.Combine(only, ".profile")))
            {
                if (run.IsCompleted)
                {
                    Assert.Fail("c finished while the chain lock was held: " + await run);
                }

                Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10), "no .profile while c waits for the chain lock");
                await Task.Delay(5);
            }

            home = box.SessionHomes("claude")[0];
            Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(home, ".profile")));
            Assert.False(File.Exists(Path.Combine(home, ".credentials.json")), "credentials were copied without the chain lock");
        }

        var result = await run;
        Assert.True(result.Result.ExitCode == 0, result.ToString());
        Assert.Contains("at-settings", File.ReadAllText(Path.Combine(home, ".credentials.json")));
    }
}
