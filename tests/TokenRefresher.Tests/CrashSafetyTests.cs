using System.Diagnostics;
using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using Xunit.Abstractions;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>kill -9 at random moments of refresh-and-write passes: no copy is ever partial, empty or wider than 0600.</summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_writers_never_leave_a_partial_empty_or_open_copy()
    {
        await using var box = new Sandbox();
        var session = box.SessionCopy("work", "27_Fri_08-00");
        var sessionDir = Path.GetDirectoryName(session)!;
        void Seed()
        {
            var fresh = box.Server.IssueCredentials("work");
            fresh.WriteTo(box.SettingsCopy("work"));
            fresh.WriteTo(session);
            File.Delete(Path.Combine(box.Settings, ".credentials.work.json.needs-login"));
        }

        Seed();
        // Every pass refreshes (REFRESH_BEFORE far beyond the lifetime) and writes both copies.
        var env = box.Env(sessionDir, ("REFRESH_BEFORE", "999999"));
        var random = new Random(4242);
        var killed = 0;
        var reseeded = 0;
        for (var i = 0; i < 40; i++)
        {
            var psi = Run.Start(RepoPaths.Binary("refresh-tokens"), ["--once"], env);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var errors = p.StandardError.ReadToEndAsync();
            Thread.Sleep(random.Next(0, 45));
            if (!p.HasExited)
            {
                p.Kill();
                killed++;
            }

            await p.WaitForExitAsync();
            box.Record((await output).Split('\n').Concat((await errors).Split('\n')));

            foreach (var dir in new[] { box.Settings, sessionDir })
            {
                // Copies, temp files, locks and marks: everything the refresher writes.
                foreach (var file in Directory.GetFiles(dir).Where(f => Path.GetFileName(f).Contains("credentials", StringComparison.Ordinal)))
                {
                    Assert.True((File.GetUnixFileMode(file) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) == 0, $"{file} is wider than 0600");
                }
            }

            foreach (var copy in new[] { box.SettingsCopy("work"), session })
            {
                var oauth = (JsonObject)JsonNode.Parse(File.ReadAllText(copy))!["claudeAiOauth"]!;
                Assert.False(string.IsNullOrEmpty(oauth["accessToken"]!.GetValue<string>()));
                Assert.False(string.IsNullOrEmpty(oauth["refreshToken"]!.GetValue<string>()));
                Assert.True(oauth["expiresAt"]!.GetValue<long>() > 0);
                Assert.NotNull(JsonNode.Parse(File.ReadAllText(copy))!["mcpOAuth"]);
            }

            // A kill between the endpoint's answer and the write loses the new refresh token, as with any
            // client; start a new chain then, so later passes keep exercising writes.
            if (!box.Server.IsRefreshTokenLive(Sandbox.RefreshToken(box.SettingsCopy("work"))))
            {
                Seed();
                reseeded++;
            }
        }

        output.WriteLine($"{killed} of 40 passes killed, {box.Server.Stats.Refreshed} refreshes completed, {reseeded} new chains after a lost token");
        Assert.True(killed >= 10, $"only {killed} of 40 passes were killed mid-run");
        Assert.True(box.Server.Stats.Refreshed >= 5, $"only {box.Server.Stats.Refreshed} refreshes completed");
    }
}
