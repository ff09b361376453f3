using System.Diagnostics;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The baseline's token-refresh container: `refresh-tokens --daemon` as the container's only process
/// on a mounted settings directory, no systemd. It refreshes a due chain against the loopback OAuth
/// server and stops cleanly on `podman stop`.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class StandaloneRefresherTests(TestImage image)
{
    [Fact]
    public async Task Refresh_tokens_daemon_in_a_plain_container_refreshes_the_settings_and_stops_on_podman_stop()
    {
        await using var oauth = OAuthTestServer.Start();
        using var settings = new TempDir("aisandbox-e2e-settings-");
        var issued = oauth.IssueCredentials("work");
        var file = settings[".credentials.work.json"];
        issued.WriteTo(file, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());

        // The image's stop signal (SIGRTMIN+3) is systemd's; a bare daemon as PID 1 needs SIGTERM.
        await using var box = await Sandbox.StartAsync(image, new SandboxOptions
        {
            Network = HostLoopback.Network,
            Volumes = [$"{settings.Path}:/settings"],
            Environment = new Dictionary<string, string>
            {
                ["CREDENTIALS_DIR"] = "/settings",
                ["CLAUDE_OAUTH_TOKEN_URL"] = HostLoopback.Inside(oauth.TokenUrl),
            },
            ExtraArgs = ["--stop-signal=SIGTERM"],
            Command = ["/usr/local/bin/refresh-tokens", "--daemon"],
        }, "refresher");

        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && UserSandbox.ReadJson(file)["claudeAiOauth"]!["accessToken"]!.GetValue<string>() == issued.AccessToken)
            {
                await Task.Delay(200);
            }

            var oauthJson = UserSandbox.ReadJson(file)["claudeAiOauth"]!;
            var token = oauthJson["accessToken"]!.GetValue<string>();
            Assert.NotEqual(issued.AccessToken, token);
            Assert.True(oauth.IsAccessTokenValid(token));
            Assert.True(oauthJson["expiresAt"]!.GetValue<long>() > DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(0, oauth.Stats.InvalidGrants);

            var clock = Stopwatch.StartNew();
            await box.StopAsync();
            var took = clock.Elapsed;
            var exit = await Podman.CheckedAsync(["inspect", "--format", "{{.State.ExitCode}}", box.Name]);
            Assert.True(took < TimeSpan.FromSeconds(30), $"podman stop took {took.TotalSeconds:F1}s");
            Assert.Equal("0", exit.Stdout.Trim());

            var logs = await Podman.CheckedAsync(["logs", box.Name]);
            Assert.Contains("at=", logs.Stdout + logs.Stderr, StringComparison.Ordinal);
            oauth.AssertNoSecrets((logs.Stdout + logs.Stderr).Split('\n'), "refresh-tokens output");
        }
        catch (Exception e) when (e is not SandboxFailure)
        {
            var logs = await Podman.RunAsync(["logs", box.Name]);
            throw new SandboxFailure($"{e.Message}\n--- podman logs {box.Name} ---\n{logs.Stdout}{logs.Stderr}", e);
        }
    }
}
