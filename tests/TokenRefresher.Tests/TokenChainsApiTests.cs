using AiSandbox.Common.Logging;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Login;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>The in-process API the launchers and the host shim call, against the real loopback server.</summary>
public sealed class TokenChainsApiTests
{
    private static (TokenChains Chains, StringWriter Log) Create(Sandbox box, string? credentialsDir = null)
    {
        var options = RefresherOptions.FromEnvironment(name => box.Env(credentialsDir).GetValueOrDefault(name));
        var log = new StringWriter();
        return (new TokenChains(options, new LogfmtLogger(new LogfmtLog(log, TimeProvider.System)), TimeProvider.System), log);
    }

    [Fact]
    public async Task RefreshProfileAsync_recovers_a_newer_history_copy_into_the_settings_copy()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(-30)));
        var active = box.Server.IssueCredentials("work");
        var session = box.SessionCopy("work", "27_Fri_09-00", active, Sandbox.InMs(TimeSpan.FromHours(6)));
        var (chains, log) = Create(box);
        using (chains)
        {
            var outcome = await chains.RefreshProfileAsync("work");

            Assert.Equal(ChainState.Valid, outcome.State);
            Assert.Equal(session, outcome.AdoptedFrom);
            Assert.Equal(active.AccessToken, Sandbox.AccessToken(box.SettingsCopy("work")));
            Assert.Equal(0, box.Server.Stats.TokenRequests);
        }

        box.Record(log.ToString().Split('\n'));
    }

    [Fact]
    public async Task RefreshProfileAsync_force_refreshes_and_writes_the_settings_copy()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(6)));
        var (chains, log) = Create(box);
        using (chains)
        {
            var outcome = await chains.RefreshProfileAsync("work", force: true);

            Assert.Equal(ChainState.Refreshed, outcome.State);
            Assert.True(box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(box.SettingsCopy("work"))));
        }

        box.Record(log.ToString().Split('\n'));
    }

    [Fact]
    public async Task CopyNewestAsync_prefers_the_fresher_of_settings_and_history_copies()
    {
        await using var box = new Sandbox();
        var settings = box.Server.IssueCredentials("work");
        settings.WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromHours(7)));
        box.SessionCopy("work", "27_Fri_09-01", box.Server.IssueCredentials("work"), Sandbox.InMs(TimeSpan.FromHours(2)));
        var dest = Path.Combine(box.Root, "session", ".credentials.json");
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        var (chains, _) = Create(box);
        using (chains)
        {
            var withSettings = await chains.CopyNewestAsync("work", dest, includeSettingsCopy: true);
            Assert.Equal(CopyStatus.Copied, withSettings.Status);
            Assert.True(withSettings.Source!.IsSettingsCopy);
            Assert.Equal(settings.AccessToken, Sandbox.AccessToken(dest));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dest));

            var historyOnly = await chains.CopyNewestAsync("work", dest, includeSettingsCopy: false);
            Assert.Equal(CopyStatus.DestinationNewer, historyOnly.Status);
            Assert.Equal(settings.AccessToken, Sandbox.AccessToken(dest));

            Assert.Equal(box.SettingsCopy("work"), chains.FindNewestValid("work")!.Path);
            Assert.Equal(CopyStatus.NoneFound, (await chains.CopyNewestAsync("nobody", dest)).Status);
        }
    }

    [Fact]
    public async Task LockAsync_excludes_a_refresher_in_another_process_until_released()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var (chains, _) = Create(box);
        using (chains)
        {
            var held = await chains.LockAsync("work");
            var busy = await box.RunAsync(["--once"], box.Env(null, ("CHAIN_LOCK_TIMEOUT", "1")));
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains(busy.StdoutLines, l => l.Contains("msg=\"chain busy\"", StringComparison.Ordinal));
            Assert.Equal(0, box.Server.Stats.TokenRequests);
            held.Dispose();

            var free = await box.RunAsync(["--once"], box.Env(null, ("CHAIN_LOCK_TIMEOUT", "1")));
            Assert.Equal(0, free.ExitCode);
            Assert.Equal(1, box.Server.Stats.Refreshed);
        }
    }

    [Fact]
    public async Task ClaudeLogin_runs_in_process_over_reader_and_writer()
    {
        await using var box = new Sandbox();
        var options = RefresherOptions.FromEnvironment(name => box.Env().GetValueOrDefault(name));
        var pipe = new System.IO.Pipelines.Pipe();
        var input = new StreamReader(pipe.Reader.AsStream());
        var output = new StringWriter();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        var login = ClaudeLogin.RunAsync(new ClaudeLoginRequest(options, "work"), input, output, time);
        var url = "";
        for (var i = 0; i < 100 && url.Length == 0; i++)
        {
            await Task.Delay(20);
            url = output.ToString().Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(box.Server.AuthorizeUrl, StringComparison.Ordinal)) ?? "";
        }

        await pipe.Writer.WriteAsync(System.Text.Encoding.UTF8.GetBytes(box.Server.Authorize(url, "work") + "\n"));
        var result = await login.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(box.SettingsCopy("work"), result.SavedPath);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds() + 8 * 3600 * 1000, result.ExpiresAt);
        box.Record(output.ToString().Split('\n'));
    }
}
