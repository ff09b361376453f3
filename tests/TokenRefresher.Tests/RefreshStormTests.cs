using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// The daemon against answers that would make a fresh token due at once: no <c>expires_in</c> (taken as
/// 3600 s, the default REFRESH_BEFORE), or REFRESH_BEFORE longer than the issued lifetime. Refreshes are
/// counted on the server across a number of daemon cycles, read from the daemon's own lines.
/// </summary>
public sealed class RefreshStormTests
{
    private const string File = "file=.credentials.work.json";

    [Theory]
    [InlineData("no expires_in", "3600")]
    [InlineData("lifetime 1 h", "7200")]
    public async Task A_token_due_on_arrival_is_refreshed_once_over_many_cycles_with_one_warning(string answer, string refreshBefore)
    {
        await using var box = new Sandbox();
        box.Server.OmitExpiresIn = answer == "no expires_in";
        box.Server.TokenLifetime = TimeSpan.FromHours(1);
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var env = box.Env(null, ("CHECK_INTERVAL", "1"), ("REFRESH_BEFORE", refreshBefore));
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], env);

        // Every cycle ends this chain with one line: "refreshed" or "token valid". Six cycles: the first
        // refreshes; a storm would refresh in every one of them.
        const int cycles = 6;
        for (var seen = 0; seen < cycles;)
        {
            await daemon.WaitForLineAsync(IsCycleEnd, TimeSpan.FromSeconds(30));
            seen++;
        }

        var lines = daemon.Lines;
        Assert.Equal(1, box.Server.Stats.Refreshed);
        Assert.Single(lines, l => l.Contains("msg=\"refreshed\" " + File, StringComparison.Ordinal));
        var warning = Assert.Single(lines, l => l.Contains("issued lifetime not longer than REFRESH_BEFORE", StringComparison.Ordinal));
        Assert.StartsWith("at=warn ", warning, StringComparison.Ordinal);
        Assert.Contains("lifetime_secs=3600 refresh_before_secs=" + refreshBefore, warning, StringComparison.Ordinal);
        Assert.True(box.Server.IsAccessTokenValid(Sandbox.AccessToken(box.SettingsCopy("work"))));
    }

    [Fact]
    public async Task The_daemons_own_write_wakes_one_write_free_cycle_not_a_refresh_loop()
    {
        await using var box = new Sandbox();
        box.Server.OmitExpiresIn = true;
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        await using var daemon = new LiveProcess(box, "refresh-tokens", ["--daemon"], box.Env(null, ("CHECK_INTERVAL", "600")));

        await daemon.WaitForLineAsync(l => l.Contains("msg=\"refreshed\" " + File, StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        // The rename of our own write wakes the daemon once; that cycle finds the token valid.
        await daemon.WaitForLineAsync(IsCycleEnd, TimeSpan.FromSeconds(30));
        Assert.Equal(1, box.Server.Stats.Refreshed);
    }

    private static bool IsCycleEnd(string line) =>
        line.Contains(File, StringComparison.Ordinal)
        && (line.Contains("msg=\"refreshed\"", StringComparison.Ordinal) || line.Contains("msg=\"token valid\"", StringComparison.Ordinal));
}
