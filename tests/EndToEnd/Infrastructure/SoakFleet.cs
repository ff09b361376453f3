using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;
using Xunit.Sdk;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>How big and how long a soak is: <c>AISANDBOX_SOAK_K</c> sandboxes (default 3) for <c>AISANDBOX_SOAK_SECONDS</c> (default 120).</summary>
internal sealed record SoakSize(int Sandboxes, TimeSpan Duration)
{
    public static SoakSize FromEnvironment()
    {
        static int Read(string name, int fallback, int min)
        {
            var raw = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(raw))
            {
                return fallback;
            }

            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min
                ? v
                : throw new InvalidOperationException($"{name} must be an integer of at least {min}, not \"{raw}\"");
        }

        return new SoakSize(Read("AISANDBOX_SOAK_K", 3, 2), TimeSpan.FromSeconds(Read("AISANDBOX_SOAK_SECONDS", 120, 30)));
    }
}

/// <summary>One running sandbox of the soak: its project, the terminal `bin/ai work` runs in, its container.</summary>
internal sealed record SoakSlot(int Index, string Project, string ProjectDir, Tmux Terminal, Sandbox Box);

/// <summary>
/// K sandboxes started by <c>bin/ai work</c> from K project directories against ONE <c>AI_DIR</c> (so one
/// <c>settings/.credentials.work.json</c> and one history), each with the agent stand-in as <c>claude</c>
/// and two sessions made by <c>c</c>: the console's (auto-launched) and one more through <c>podman exec</c>.
/// Every container reaches the test's OAuth server on the host's loopback only (slirp4netns,
/// 10.0.2.2). Everything it started is removed on dispose.
/// </summary>
internal sealed class SoakFleet : IAsyncDisposable
{
    /// <summary>Issued lifetime: short, so a few minutes see many rotations.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(90);

    /// <summary>Every refresher refreshes when less than this is left (REFRESH_BEFORE), 40 s after the token was issued.</summary>
    public const int RefreshBeforeSeconds = 50;

    /// <summary>The stand-in refreshes for itself below this (Claude Code's own margin, scaled down); it never should.</summary>
    public const int StandInNearExpirySeconds = 10;

    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(240);

    private readonly TempDir _root = new("aisandbox-e2e-soak-");
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly Dictionary<string, string?> _env;
    private readonly List<SoakSlot?> _slots = [];
    private readonly List<string> _projects = [];
    private readonly List<Tmux> _oldTerminals = [];
    private int _generation;

    private SoakFleet(TestImage image, int k)
    {
        OAuth = OAuthTestServer.Start();
        OAuth.TokenLifetime = TokenLifetime;
        // Deterministic: every 7th answer from the 3rd on is a 429, every 5th from the 2nd on comes 2 s late.
        // Only faults after which the server has rotated nothing, or answers in full: a 5xx or a hang leaves
        // the outcome unknown, and the refreshers then rightly hold the chain for a login.
        OAuth.FaultSchedule = n => n % 7 == 3 ? OAuthFault.RateLimit : n % 5 == 2 ? OAuthFault.Late : null;
        Directory.CreateDirectory(_root["home"]);
        Directory.CreateDirectory(Path.Combine(AiDir, "settings"));
        Issued = OAuth.IssueCredentials("work");
        Issued.WriteTo(SettingsFile);
        var standIn = AgentStandIn.Write(_root.Path, HostLoopback.Inside(OAuth.TokenUrl), StandInNearExpirySeconds);

        var extra = new List<string>
        {
            "--network=" + HostLoopback.Network,
            "--volume", $"{standIn}:{AgentStandIn.MountPoint}:ro",
            "--env", "CLAUDE_OAUTH_TOKEN_URL=" + HostLoopback.Inside(OAuth.TokenUrl),
            "--env", "REFRESH_BEFORE=" + RefreshBeforeSeconds.ToString(CultureInfo.InvariantCulture),
            // A 429 is retried at the next regular check; the default 300 s would outlast a token.
            "--env", "CHECK_INTERVAL=10",
        };
        _env = new Dictionary<string, string?>
        {
            ["HOME"] = _root["home"],
            ["AI_DIR"] = AiDir,
            ["AI_IMAGE"] = image.Name,
            ["AI_PODMAN_EXTRA_ARGS"] = string.Join(' ', extra),
            ["CLAUDE_OAUTH_TOKEN_URL"] = OAuth.TokenUrl,
            ["CLAUDE_OAUTH_AUTHORIZE_URL"] = OAuth.AuthorizeUrl,
            ["REFRESH_BEFORE"] = RefreshBeforeSeconds.ToString(CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < k; i++)
        {
            _slots.Add(null);
        }
    }

    public OAuthTestServer OAuth { get; }

    public IssuedCredentials Issued { get; }

    public string AiDir => _root["ai"];

    public string SettingsFile => Path.Combine(AiDir, "settings", ".credentials.work.json");

    /// <summary>The environment <c>bin/ai</c> runs with (for <c>ai ps</c> and <c>ai stop</c> as well).</summary>
    public IReadOnlyDictionary<string, string?> AiEnvironment => _env;

    public IReadOnlyList<SoakSlot> Live => _slots.Where(s => s is not null).Select(s => s!).ToList();

    /// <summary>Every project directory a sandbox ran in, stopped ones included: their stand-in events stay.</summary>
    public IReadOnlyList<string> ProjectDirs => _projects;

    public static async Task<SoakFleet> StartAsync(TestImage image, int k)
    {
        var fleet = new SoakFleet(image, k);
        try
        {
            // All at once, as a user opening K terminals would.
            await Task.WhenAll(Enumerable.Range(0, k).Select(fleet.LaunchAsync));
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>`bin/ai work` in a fresh project for slot <paramref name="index"/>, until both sessions' stand-ins run.</summary>
    public async Task LaunchAsync(int index)
    {
        var project = $"soak{_run}s{index}g{Interlocked.Increment(ref _generation)}";
        var dir = _root["p/" + project];
        Directory.CreateDirectory(dir);
        lock (_projects)
        {
            _projects.Add(dir);
        }

        var terminal = await Tmux.StartAsync([Path.Combine(RepoPaths.Root, "bin", "ai"), "work"], _env, dir);
        Sandbox box;
        try
        {
            box = await Sandbox.WaitForAsync(project, Boot, async () => "terminal:\n" + await terminal.CaptureAsync());
        }
        catch
        {
            await terminal.DisposeAsync();
            throw;
        }

        var slot = new SoakSlot(index, project, dir, terminal, box);
        lock (_slots)
        {
            _slots[index] = slot;
        }

        // The console's session: the shell auto-launches `c work`, which waits for readiness, then execs the stand-in.
        await WaitForEventsAsync(slot, "start", 1, Boot);
        var second = await Podman.RunAsync(["exec", "--detach", box.Name, "bash", "-lc", "c work"]);
        if (second.ExitCode != 0)
        {
            throw new XunitException($"second session in {box.Name}: {second}");
        }

        await WaitForEventsAsync(slot, "start", 2, Boot);
    }

    /// <summary>Leaves the console's stand-in with Ctrl-C, then types `x`: the sandbox halts and is removed.</summary>
    public async Task ExitWithXAsync(int index)
    {
        var slot = Take(index);
        var exits = Count(slot, "exit");
        await slot.Terminal.SendKeysAsync("C-c");
        await WaitForEventsAsync(slot, "exit", exits + 1, TimeSpan.FromSeconds(30));
        await slot.Terminal.SendLineAsync("x");
        await WaitGoneAsync(slot);
    }

    /// <summary>`bin/ai stop NAME`: podman stop with the sandbox's stop budget.</summary>
    public async Task StopWithAiAsync(int index)
    {
        var slot = Take(index);
        var stop = await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "bin", "ai"), ["stop", slot.Box.Name], _env, timeout: TimeSpan.FromSeconds(120));
        if (stop.ExitCode != 0 || stop.Stdout.Trim() != "stopped " + slot.Box.Name)
        {
            throw new XunitException($"ai stop {slot.Box.Name}: {stop}");
        }

        await WaitGoneAsync(slot);
    }

    /// <summary>`podman kill`: SIGKILL to the whole sandbox, no clean halt.</summary>
    public async Task KillAsync(int index)
    {
        var slot = Take(index);
        await Podman.CheckedAsync(["kill", slot.Box.Name]);
        await WaitGoneAsync(slot);
    }

    /// <summary>The credential copy the stand-ins of a live sandbox read (~/.claude, the latest session's home).</summary>
    public static async Task<JsonNode?> AgentCopyAsync(SoakSlot slot)
    {
        var read = await slot.Box.ExecAsync(["cat", "/workspace/.claude/.credentials.json"], TimeSpan.FromSeconds(20));
        return read.ExitCode == 0 ? JsonNode.Parse(read.Stdout) : null;
    }

    /// <summary>The refresher journals of the live sandboxes, for a failure message.</summary>
    public async Task<string> JournalsAsync()
    {
        var parts = new List<string>();
        foreach (var slot in Live)
        {
            var journal = await slot.Box.ExecAsync(["journalctl", "-u", "refresh-tokens", "--no-pager", "-o", "short-monotonic", "-n", "60"], TimeSpan.FromSeconds(20));
            parts.Add($"--- refresh-tokens in {slot.Box.Name} ---\n{journal.Stdout}{journal.Stderr}");
        }

        return string.Join('\n', parts);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var slot in Live)
        {
            await slot.Terminal.DisposeAsync();
            await slot.Box.DisposeAsync();
        }

        foreach (var terminal in _oldTerminals)
        {
            await terminal.DisposeAsync();
        }

        // A sandbox still booting when a launch failed is found by its project name.
        foreach (var project in _projects.Select(Path.GetFileName))
        {
            var left = await Podman.RunAsync(["ps", "--all", "--format", "{{.Names}}", "--filter", "name=" + project]);
            foreach (var name in left.StdoutLines.Where(n => n.Length > 0))
            {
                await Sandbox.Attach(name).DisposeAsync();
            }
        }

        await OAuth.DisposeAsync();
        _root.Dispose();
    }

    private SoakSlot Take(int index)
    {
        lock (_slots)
        {
            var slot = _slots[index] ?? throw new InvalidOperationException($"slot {index} is not running");
            _slots[index] = null;
            _oldTerminals.Add(slot.Terminal);
            return slot;
        }
    }

    private static int Count(SoakSlot slot, string kind) =>
        AgentStandIn.Events(slot.ProjectDir).Count(l => l.Split(' ') is [_, var k, ..] && k == kind);

    private static async Task WaitForEventsAsync(SoakSlot slot, string kind, int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Count(slot, kind) < count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new XunitException($"{slot.Box.Name}: {count} stand-in \"{kind}\" events not seen within {timeout.TotalSeconds}s; events:\n"
                    + string.Join('\n', AgentStandIn.Events(slot.ProjectDir)) + "\nterminal:\n" + await slot.Terminal.CaptureAsync());
            }

            await Task.Delay(200);
        }
    }

    private static async Task WaitGoneAsync(SoakSlot slot)
    {
        var clock = Stopwatch.StartNew();
        while ((await Podman.RunAsync(["container", "exists", slot.Box.Name])).ExitCode == 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new XunitException($"{slot.Box.Name} still exists 120 s after it was stopped; terminal:\n{await slot.Terminal.CaptureAsync()}");
            }

            await Task.Delay(200);
        }
    }
}
