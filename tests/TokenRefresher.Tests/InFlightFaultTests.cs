using AiSandbox.TestSupport.OAuth;
using Xunit.Abstractions;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// The fault matrix: a token endpoint that fails before or after it rotated the refresh token. Whatever it
/// does, no chain is lost (every copy ends on a token the server accepts, or the chain is marked needing
/// login with one line) and no refresh token is ever sent twice.
/// </summary>
public sealed class InFlightFaultTests(ITestOutputHelper output)
{
    private const int Runs = 5;

    [Theory]
    [InlineData(OAuthFault.RotateThenLate)]
    [InlineData(OAuthFault.RotateThenBadGateway)]
    [InlineData(OAuthFault.RotateThenGatewayTimeout)]
    [InlineData(OAuthFault.RotateThenClose)]
    [InlineData(OAuthFault.RotateThenEmptyAccessToken)]
    [InlineData(OAuthFault.RotateThenZeroLifetime)]
    [InlineData(OAuthFault.ServerError)]
    [InlineData(OAuthFault.Hang)]
    [InlineData(OAuthFault.RateLimit)]
    [InlineData(OAuthFault.Garbage)]
    [InlineData(OAuthFault.NoAccessToken)]
    public async Task A_fault_loses_no_chain_and_no_spent_token_is_sent_again(OAuthFault fault)
    {
        var ends = new List<ChainEnd>();
        var marked = 0;
        for (var run = 0; run < Runs; run++)
        {
            await using var box = new Sandbox();
            var issued = box.Server.IssueCredentials("work");
            var due = Sandbox.InMs(TimeSpan.FromMinutes(5));
            issued.WriteTo(box.SettingsCopy("work"), due);
            var session = box.SessionCopy("work", "27_Fri_08-00", issued, due);
            var env = box.Env(Path.GetDirectoryName(session), ("OAUTH_HTTP_TIMEOUT", "1"), ("OAUTH_HTTP_RETRIES", "2"));
            box.Server.HangDuration = TimeSpan.FromSeconds(30);
            box.Server.InjectFault(fault);

            var first = await box.RunAsync(["--once"], env);
            var requests = box.Server.Stats.TokenRequests;
            var second = await box.RunAsync(["--once"], env);

            var end = ChainAudit.Judge(box, "work", box.SettingsCopy("work"), session);
            ends.Add(end);
            if (File.Exists(ChainAudit.MarkPath(box, "work")))
            {
                marked++;
            }

            Assert.True(end != ChainEnd.Lost, $"{fault}: chain lost\n{first}\n{second}");
            Assert.True(box.Server.Stats.SpentTokenRequests == 0, $"{fault}: a spent refresh token was sent again\n{first}\n{second}");
            Assert.DoesNotContain(first.StdoutLines.Concat(first.StderrLines), l => l.Contains("Exception", StringComparison.Ordinal));
            if (end == ChainEnd.MarkedNeedsLogin)
            {
                // Said once, in one line, by the run that saw the fault; the next run sends nothing and says it again.
                Assert.Single(first.StdoutLines, l => l.Contains("login needed", StringComparison.Ordinal) && l.Contains("profile=work", StringComparison.Ordinal));
                Assert.Equal(1, first.ExitCode);
                Assert.Equal(requests, box.Server.Stats.TokenRequests);
                Assert.Single(second.StdoutLines, l => l.Contains("msg=\"login needed\"", StringComparison.Ordinal) && l.Contains("profile=work", StringComparison.Ordinal));
            }
        }

        // Marked with a live token: the server had not rotated, but the client cannot know, so it does not resend.
        output.WriteLine($"| {fault} | {Runs} | {ends.Count(e => e == ChainEnd.Lost)} | token live {ends.Count(e => e == ChainEnd.Live)}, token spent {ends.Count(e => e == ChainEnd.MarkedNeedsLogin)}, marked needing login {marked} |");
    }

    [Theory]
    [InlineData(OAuthFault.RotateThenBadGateway, "http_status=502")]
    [InlineData(OAuthFault.RotateThenGatewayTimeout, "http_status=504")]
    [InlineData(OAuthFault.RotateThenLate, "error=\"timed out\"")]
    [InlineData(OAuthFault.RotateThenClose, "http_status=000")]
    public async Task An_answer_lost_after_rotation_is_not_retried_and_marks_the_chain_in_one_line(OAuthFault fault, string detail)
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));
        box.Server.InjectFault(fault, 3);

        var result = await box.RunAsync(["--once"], box.Env(null, ("OAUTH_HTTP_TIMEOUT", "1"), ("OAUTH_HTTP_RETRIES", "2")));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, box.Server.Stats.TokenRequests);
        var line = Assert.Single(result.StdoutLines, l => l.StartsWith("at=error", StringComparison.Ordinal));
        Assert.Contains("msg=\"refresh outcome unknown, token kept and not sent again, login needed\" file=.credentials.work.json profile=work", line, StringComparison.Ordinal);
        Assert.Contains(detail, line, StringComparison.Ordinal);
        Assert.Contains("hint=\"run refresh-tokens --login work\"", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
        Assert.Equal(ChainEnd.MarkedNeedsLogin, ChainAudit.Judge(box, "work", box.SettingsCopy("work")));
    }

    [Fact]
    public async Task A_newer_token_in_any_copy_clears_the_mark_and_the_chain_refreshes_again()
    {
        await using var box = new Sandbox();
        var due = Sandbox.InMs(TimeSpan.FromMinutes(5));
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), due);
        var session = box.SessionCopy("work", "27_Fri_08-00", box.Server.IssueCredentials("work"), due - 1000);
        var env = box.Env(Path.GetDirectoryName(session), ("OAUTH_HTTP_TIMEOUT", "1"));
        box.Server.InjectFault(OAuthFault.RotateThenGatewayTimeout);
        Assert.Equal(1, (await box.RunAsync(["--once"], env)).ExitCode);
        Assert.True(File.Exists(ChainAudit.MarkPath(box, "work")));

        // The agent in the session refreshed by itself: its copy now holds a newer chain than the marked token.
        box.Server.IssueCredentials("work").WriteTo(session, Sandbox.InMs(TimeSpan.FromMinutes(10)));
        var result = await box.RunAsync(["--once"], env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(ChainAudit.MarkPath(box, "work")));
        Assert.DoesNotContain(result.StdoutLines, l => l.Contains("login needed", StringComparison.Ordinal));
        Assert.Equal(ChainEnd.Live, ChainAudit.Judge(box, "work", box.SettingsCopy("work"), session));
        Assert.Equal(0, box.Server.Stats.SpentTokenRequests);
    }

    [Fact]
    public async Task A_failure_to_connect_is_certain_so_the_chain_is_not_marked()
    {
        await using var box = new Sandbox();
        box.Server.IssueCredentials("work").WriteTo(box.SettingsCopy("work"), Sandbox.InMs(TimeSpan.FromMinutes(5)));
        var before = File.ReadAllText(box.SettingsCopy("work"));
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var result = await box.RunAsync(["--once"], box.Env(null, ("CLAUDE_OAUTH_TOKEN_URL", $"http://127.0.0.1:{port}/v1/oauth/token"), ("OAUTH_HTTP_RETRIES", "2")));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.Contains("msg=\"refresh request failed (no response)\"", StringComparison.Ordinal) &&
            l.Contains("error=ConnectionError", StringComparison.Ordinal));
        Assert.False(File.Exists(ChainAudit.MarkPath(box, "work")));
        Assert.Equal(before, File.ReadAllText(box.SettingsCopy("work")));
    }
}
