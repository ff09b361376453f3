using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AiSandbox.EndToEnd.Infrastructure;
using Xunit.Abstractions;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The field's worst failure (a single-use refresh token spent twice, everyone logged out), looked for where
/// it happens: K real sandboxes on one profile, each with its own systemd, refresher and two sessions, a
/// token server that rotates every 90 s and answers some requests late or with 429, and sandboxes leaving
/// by `x`, `ai stop` and `podman kill` and coming back all through the run. Size: AISANDBOX_SOAK_K
/// (default 3) and AISANDBOX_SOAK_SECONDS (default 120); `AISANDBOX_SOAK_K=6 AISANDBOX_SOAK_SECONDS=600`
/// is the large run.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SoakTests(TestImage image, ITestOutputHelper output)
{
    private static readonly TimeSpan RefreshWait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task K_sandboxes_on_one_profile_keep_one_live_chain_through_faults_stops_and_kills_and_no_agent_refreshes_for_itself()
    {
        var size = SoakSize.FromEnvironment();
        var clock = Stopwatch.StartNew();
        await using var fleet = await SoakFleet.StartAsync(image, size.Sandboxes);
        var booted = clock.Elapsed;
        try
        {
            // One disruption after each refresh that reached every copy, so a kill never lands on a request
            // in flight (that would lose the rotated token with the process, which no design can prevent).
            var kinds = new Func<int, Task>[] { fleet.ExitWithXAsync, fleet.StopWithAiAsync, fleet.KillAsync };
            var names = new[] { "x", "ai stop", "podman kill" };
            var counts = new int[kinds.Length];
            var disruptions = 0;
            var soak = Stopwatch.StartNew();
            // Every way out at least once, however short the run.
            bool More() => soak.Elapsed < size.Duration || disruptions < kinds.Length;
            while (More())
            {
                await WaitForRefreshAsync(fleet, fleet.OAuth.Stats.Refreshed);
                if (!More())
                {
                    break;
                }

                var slot = disruptions % size.Sandboxes;
                var kind = disruptions % kinds.Length;
                await kinds[kind](slot);
                counts[kind]++;
                await fleet.LaunchAsync(slot);
                disruptions++;
            }

            // Quiet end: the last answers reach every copy.
            fleet.OAuth.FaultSchedule = null;
            var (latest, copies) = await WaitForOneChainAsync(fleet);
            var stats = fleet.OAuth.Stats;
            var events = fleet.ProjectDirs.SelectMany(AgentStandIn.Events).ToList();
            var selfRefreshes = events.Where(e => e.Split(' ')[1] == "refreshed").ToList();
            var expired = events.Where(e => e.Split(' ')[1] == "expired").ToList();
            var unreadable = events.Where(e => e.Split(' ')[1] == "unreadable").ToList();
            var sessions = events.Count(e => e.Split(' ')[1] == "start");

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak: K={size.Sandboxes} booted_in={booted.TotalSeconds:F0}s ran={soak.Elapsed.TotalMinutes:F1}min sessions={sessions} refreshes={stats.Refreshed} token_requests={stats.TokenRequests} faults={stats.FaultsServed} stops_and_starts={disruptions} (x={counts[0]} ai_stop={counts[1]} kill={counts[2]}) invalid_grant={stats.InvalidGrants} spent_token_requests={stats.SpentTokenRequests} standin_refreshes={selfRefreshes.Count} unreadable_reads={unreadable.Count}"));

            Assert.Equal(0, stats.InvalidGrants);
            Assert.Equal(0, stats.SpentTokenRequests);
            Assert.True(selfRefreshes.Count == 0, "a stand-in had to refresh for itself:\n" + string.Join('\n', selfRefreshes));
            Assert.True(expired.Count == 0, "a stand-in saw an expired token:\n" + string.Join('\n', expired));
            Assert.True(unreadable.Count == 0, "a stand-in found its copy unreadable:\n" + string.Join('\n', unreadable));
            Assert.True(stats.Refreshed >= 2, $"the run saw {stats.Refreshed} rotations; it proves nothing below 2");
            Assert.Equal(2 * (size.Sandboxes + disruptions), sessions);
            Assert.True(fleet.OAuth.IsRefreshTokenLive(copies[fleet.SettingsFile].Refresh), "the settings copy's refresh token is spent");
            Assert.False(File.Exists(fleet.SettingsFile + ".needs-login"), "the chain was marked for a login");
            Assert.All(copies, c => Assert.Equal(latest, c.Value.Access));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nstats: {fleet.OAuth.Stats}\n{await fleet.JournalsAsync()}", e);
        }
    }

    /// <summary>Waits until the server rotated past <paramref name="before"/> and the settings copy holds what it issued.</summary>
    private static async Task WaitForRefreshAsync(SoakFleet fleet, int before)
    {
        var clock = Stopwatch.StartNew();
        while (!(fleet.OAuth.Stats.Refreshed > before && Access(ReadJson(fleet.SettingsFile)) == fleet.OAuth.LatestAccessToken("work")))
        {
            if (clock.Elapsed > RefreshWait)
            {
                throw new Xunit.Sdk.XunitException($"no refresh reached the settings copy within {RefreshWait.TotalMinutes} min");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the settings copy and every live sandbox's agent copy hold the server's latest token.</summary>
    private static async Task<(string Latest, Dictionary<string, (string Access, string Refresh)> Copies)> WaitForOneChainAsync(SoakFleet fleet)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var latest = fleet.OAuth.LatestAccessToken("work")!;
            var copies = new Dictionary<string, (string, string)> { [fleet.SettingsFile] = Tokens(ReadJson(fleet.SettingsFile)) };
            foreach (var slot in fleet.Live)
            {
                copies[slot.Box.Name + ":/workspace/.claude/.credentials.json"] = Tokens(await SoakFleet.AgentCopyAsync(slot));
            }

            if (copies.Values.All(c => c.Item1 == latest) || clock.Elapsed > RefreshWait)
            {
                return (latest, copies);
            }

            await Task.Delay(500);
        }
    }

    private static JsonNode? ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string? Access(JsonNode? doc) => doc?["claudeAiOauth"]?["accessToken"]?.GetValue<string>();

    private static (string Access, string Refresh) Tokens(JsonNode? doc) =>
        (Access(doc) ?? "(none)", doc?["claudeAiOauth"]?["refreshToken"]?.GetValue<string>() ?? "(none)");
}
