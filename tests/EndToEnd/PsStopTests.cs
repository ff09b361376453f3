using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.EndToEnd;

/// <summary>
/// `ai ps` and `ai stop` on two real sandboxes started by `bin/ai`: one with the Claude profile "work" and a
/// published port, one bare shell. ps shows each with its labels, ports and the readiness its own supervisor
/// publishes; stop halts both with systemd's signal, and podman removes them.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class PsStopTests(TestImage image) : IAsyncDisposable
{
    private readonly TempDir _root = new("aisandbox-e2e-ps-");
    private readonly OAuthTestServer _oauth = OAuthTestServer.Start();
    private readonly List<Tmux> _terminals = [];
    private readonly List<Sandbox> _boxes = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var t in _terminals)
        {
            await t.DisposeAsync();
        }

        foreach (var b in _boxes)
        {
            await b.DisposeAsync();
        }

        await _oauth.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public async Task Ps_lists_both_sandboxes_with_labels_ports_and_supervisor_readiness_and_stop_halts_them()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = _root["home"],
            ["AI_DIR"] = _root["ai"],
            ["AI_IMAGE"] = image.Name,
            ["AI_PODMAN_EXTRA_ARGS"] = $"--network={HostLoopback.Network} --env CLAUDE_OAUTH_TOKEN_URL={HostLoopback.Inside(_oauth.TokenUrl)}",
            ["CLAUDE_OAUTH_TOKEN_URL"] = _oauth.TokenUrl,
        };
        Directory.CreateDirectory(_root["home"]);
        _oauth.IssueCredentials("work").WriteTo(Path.Combine(_root["ai"], "settings", ".credentials.work.json"));
        var port = FreePort();
        var withAgent = await StartAsync($"psa{run}", ["work", "--ports", $"{port}:5672"], env);
        var shell = await StartAsync($"psb{run}", [], env);

        // Ready is an event the supervisors publish; ps is asked until both say it (or one says degraded).
        var clock = Stopwatch.StartNew();
        string[] lines;
        while (true)
        {
            var ps = await Run.ProcessAsync(Ai, ["ps"], env, timeout: TimeSpan.FromSeconds(60));
            Assert.True(ps.ExitCode == 0, ps.ToString());
            Assert.StartsWith("NAME ", ps.StdoutLines[0], StringComparison.Ordinal);
            lines = [Line(ps, withAgent.Name), Line(ps, shell.Name)];
            if (lines.All(l => l.EndsWith(" ready", StringComparison.Ordinal)) || lines.Any(l => l.Contains("degraded", StringComparison.Ordinal)))
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(240), "not both ready:\n" + string.Join('\n', lines));
            await Task.Delay(500);
        }

        var cells = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(cells.Length == 7, lines[0]);
        Assert.Equal([withAgent.Name, $"psa{run}", "claude", "work"], cells[..4]);
        Assert.True(Regex.IsMatch(cells[4], @"^\d+(s|m\d\ds)$"), lines[0]);
        Assert.True(Regex.IsMatch(cells[5], $@"^(127\.0\.0\.1:\d+->1337/tcp,127\.0\.0\.1:{port}->5672/tcp|127\.0\.0\.1:{port}->5672/tcp,127\.0\.0\.1:\d+->1337/tcp)$"), lines[0]);
        Assert.Equal("ready", cells[6]);
        Assert.True(Regex.IsMatch(lines[1], $@"^{shell.Name} +psb{run} +- +- +\d+(s|m\d\ds) +127\.0\.0\.1:\d+->1337/tcp +ready$"), lines[1]);

        var stop = await Run.ProcessAsync(Ai, ["stop", withAgent.Name, shell.Name], env, timeout: TimeSpan.FromSeconds(120));
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal([$"stopped {withAgent.Name}", $"stopped {shell.Name}"], stop.StdoutLines.Where(l => l.Length > 0));
        foreach (var box in new[] { withAgent, shell })
        {
            for (var i = 0; i < 100 && (await Podman.RunAsync(["container", "exists", box.Name])).ExitCode == 0; i++)
            {
                await Task.Delay(100); // --rm removes it just after it stops
            }

            Assert.NotEqual(0, (await Podman.RunAsync(["container", "exists", box.Name])).ExitCode);
        }

        var after = await Run.ProcessAsync(Ai, ["ps"], env, timeout: TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(after.StdoutLines, l => l.StartsWith(withAgent.Name + " ", StringComparison.Ordinal) || l.StartsWith(shell.Name + " ", StringComparison.Ordinal));
        var again = await Run.ProcessAsync(Ai, ["stop", shell.Name], env, timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("msg=\"not a running sandbox\"", again.Stderr, StringComparison.Ordinal);
    }

    private static string Ai => Path.Combine(RepoPaths.Root, "bin", "ai");

    private async Task<Sandbox> StartAsync(string project, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> env)
    {
        var dir = _root["p/" + project];
        Directory.CreateDirectory(dir);
        var terminal = await Tmux.StartAsync([Ai, .. args], env, dir);
        _terminals.Add(terminal);
        var box = await Sandbox.WaitForAsync(project, TimeSpan.FromSeconds(120), async () => "terminal:\n" + await terminal.CaptureAsync());
        _boxes.Add(box);
        return box;
    }

    private static string Line(ProcessResult ps, string name) =>
        ps.StdoutLines.FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal)) ?? $"({name} not listed)\n{ps.Stdout}";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
