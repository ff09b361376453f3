using System.Diagnostics;
using AiSandbox.EndToEnd.Infrastructure;
using RabbitMQ.Client;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The issue's user flow with the real pieces: `bin/ai work` boots the sandbox, the supervisor proves the
/// services, the console launches the real `claude` through `c`, the in-container refresher keeps the
/// chain fresh against the loopback OAuth server, and `x` ends it all.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class UserSessionTests(TestImage image)
{
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Bin_ai_boots_the_sandbox_with_the_services_ready_the_agent_on_the_console_and_x_stops_it()
    {
        await using var user = await UserSandbox.StartAsync(image);
        await user.GuardAsync(async () =>
        {
            var box = user.Box;

            // 1. Booted, refresher active with its status line, services proven by the supervisor.
            await box.AssertRunningAsync();
            await box.WaitForOutputAsync("systemctl is-active refresh-tokens", o => o.Trim() == "active", Boot, "refresh-tokens active");
            var status = await box.ShAsync("systemctl status refresh-tokens --no-pager --lines=0 || true");
            Assert.Matches(@"(?m)^\s*Status: "".+""", status);

            var journal = await box.WaitForOutputAsync("journalctl -u ai-supervisor --no-pager -o cat",
                o => new[] { "postgresql", "redis", "lavinmq" }.All(s => ReadyLine(o, s) is not null), Boot, "supervisor: all services ready");
            foreach (var service in new[] { "postgresql", "redis", "lavinmq" })
            {
                Assert.Matches(@"seconds=\d+(\.\d+)?", ReadyLine(journal, service)!);
            }

            Assert.Equal("1", (await box.ShAsync("psql -d postgres -Atc 'select 1'")).Trim());
            Assert.Equal("PONG", (await box.ShAsync("redis-cli ping")).Trim());
            var port = await ServicesTests.PublishedPortAsync(box.Name, 5672);
            Assert.Equal(user.AmqpPort, port);
            var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = port };
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                var queue = await channel.QueueDeclareAsync(exclusive: true);
                Assert.False(string.IsNullOrEmpty(queue.QueueName));
            }

            // 2. The console auto-launched `c work`, which waited for readiness and exec'd the real claude.
            await box.WaitForOutputAsync("pgrep -x claude >/dev/null && echo running",
                o => o.Contains("running", StringComparison.Ordinal), Boot, "claude running on the console");
            var claudeTty = await box.ShAsync("readlink /proc/$(pgrep -x claude | head -1)/fd/0");
            Assert.Equal("/dev/console", claudeTty.Trim());
            var session = Assert.Single(user.ClaudeSessions());
            Assert.Equal("work", File.ReadAllText(Path.Combine(session, ".profile")).Trim());
            Assert.True(File.Exists(Path.Combine(session, ".credentials.json")), "credentials copy in the session home");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(session, ".credentials.json")));
            Assert.Equal("# rules for the e2e agent\n", File.ReadAllText(Path.Combine(session, "CLAUDE.md")));
            var claudeJson = UserSandbox.ReadJson(Path.Combine(session, "claude.json"));
            Assert.Equal("tok-e2e-sentry", claudeJson["mcpServers"]?["sentry"]?["env"]?["SENTRY_ACCESS_TOKEN"]?.GetValue<string>());

            // Reads the injected server from the session's claude.json; the connection check inside fails
            // fast through the test's dead proxy, which is fine: the configuration is what is checked.
            var mcp = await box.ExecAsync(["bash", "-lc", "cd /app && timeout 90 claude mcp get sentry"], TimeSpan.FromSeconds(120));
            Assert.Contains("sentry", mcp.Stdout, StringComparison.Ordinal);
            Assert.Contains("@sentry/mcp-server", mcp.Stdout, StringComparison.Ordinal);

            // 4. Leave claude, then `x` at the prompt: the container is gone within 5 s.
            await StopClaudeAsync(user.Terminal, box);
            var clock = Stopwatch.StartNew();
            await user.Terminal.SendLineAsync("x");
            // The container's end is what counts, not the podman client's: podman 4.3's `run -it` was seen
            // to stay attached after its container had stopped and been removed.
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && await box.StateAsync() is not ("gone" or "exited" or "stopped"))
            {
                await Task.Delay(100);
            }

            var took = clock.Elapsed;
            Assert.True(took < TimeSpan.FromSeconds(30), $"x took {took.TotalSeconds:F1}s to stop the container");
            for (var i = 0; i < 100 && (await Podman.RunAsync(["container", "exists", box.Name])).ExitCode == 0; i++)
            {
                await Task.Delay(100); // --rm removes it just after it stops
            }

            Assert.NotEqual(0, (await Podman.RunAsync(["container", "exists", box.Name])).ExitCode);
        });
    }

    [Fact]
    public async Task The_in_container_refresher_renews_a_near_expiry_chain_and_the_host_settings_copy_gets_the_new_tokens()
    {
        await using var user = await UserSandbox.StartAsync(image, new Dictionary<string, string> { ["CHECK_INTERVAL"] = "5" });
        await user.GuardAsync(async () =>
        {
            var box = user.Box;
            await box.AssertRunningAsync();
            await box.WaitForOutputAsync("systemctl is-active refresh-tokens", o => o.Trim() == "active", Boot, "refresh-tokens active");
            await box.WaitForOutputAsync("pgrep -x claude >/dev/null && echo running",
                o => o.Contains("running", StringComparison.Ordinal), Boot, "claude running on the console");
            var session = Assert.Single(user.ClaudeSessions());
            var sessionCopy = Path.Combine(session, ".credentials.json");

            // Make the chain due: both copies now say the token expires in 10 minutes (inside the
            // refresher's one-hour window), exactly as a chain looks after a long session.
            var soon = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();
            var before = user.OAuth.Stats;
            ReplaceAtomically(user.SettingsFile, user.Issued.ToCredentialsJson(soon));
            ReplaceAtomically(sessionCopy, user.Issued.ToCredentialsJson(soon));

            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? fresh = null;
            while (DateTime.UtcNow < deadline)
            {
                var settings = UserSandbox.ReadJson(user.SettingsFile)["claudeAiOauth"]!;
                if (settings["accessToken"]!.GetValue<string>() != user.Issued.AccessToken)
                {
                    fresh = settings["accessToken"]!.GetValue<string>();
                    Assert.True(settings["expiresAt"]!.GetValue<long>() > DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
                    break;
                }

                await Task.Delay(250);
            }

            Assert.True(fresh is not null, "the host's settings copy never received new tokens");
            Assert.True(user.OAuth.IsAccessTokenValid(fresh!), "the settings copy holds a token the server did not issue");
            Assert.Equal(fresh, user.OAuth.LatestAccessToken("work"));
            var after = user.OAuth.Stats;
            Assert.Equal(0, after.InvalidGrants - before.InvalidGrants);
            Assert.Equal(1, after.Refreshed - before.Refreshed);

            // One chain: the session copy the agent reads holds the same, newest tokens.
            await box.WaitForOutputAsync($"grep -c '{fresh}' /workspace/.claude/.credentials.json || true",
                o => o.Trim() == "1", TimeSpan.FromSeconds(20), "session copy holds the newest token");
            var journal = await box.ShAsync("journalctl -u refresh-tokens --no-pager -o cat");
            Assert.DoesNotContain("invalid_grant", journal, StringComparison.Ordinal);
            user.OAuth.AssertNoSecrets(journal.Split('\n'), "refresh-tokens journal");
        });
    }

    /// <summary>The supervisor's transition line that says a service became ready, if any.</summary>
    internal static string? ReadyLine(string journal, string service) =>
        journal.Split('\n').FirstOrDefault(l =>
            l.Contains("service=" + service, StringComparison.Ordinal) && l.Contains("to=ready", StringComparison.Ordinal));

    private static async Task StopClaudeAsync(Tmux terminal, Sandbox box)
    {
        // Claude's TUI leaves on a double Ctrl-C; back at the prompt the shell's history works again.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await terminal.SendKeysAsync("C-c");
            await Task.Delay(300);
            await terminal.SendKeysAsync("C-c");
            await Task.Delay(700);
            var gone = await box.ExecAsync("pgrep", "-x", "claude");
            if (gone.ExitCode != 0)
            {
                return;
            }
        }

        throw new Xunit.Sdk.XunitException("claude did not exit on Ctrl-C");
    }

    private static void ReplaceAtomically(string path, string content)
    {
        var temp = path + ".e2e-tmp";
        File.WriteAllText(temp, content);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
