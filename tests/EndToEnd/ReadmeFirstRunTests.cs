using System.Diagnostics;
using System.Text.RegularExpressions;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The README's "First run", typed as a newcomer would in a terminal: a fresh HOME (no ~/ai), a project
/// directory, no credentials, no CONTAINERS_CONF, and no image under the name bin/ai runs (a scratch
/// AI_IMAGE, so the shared ai:latest is never touched). `bin/ai work` offers the login, builds the image
/// through ./build_image (which finds the run's image of the same inputs and only tags it), boots, shows
/// the readiness lines and the real Claude Code; `x` twice leaves and the container is gone. Then
/// `bin/ai cx work` signs Codex in and reaches its prompt, and `bin/ai work --resume ID` brings back the
/// first conversation. Only the loopback OAuth server is reached: the agents' own calls go to a closed port.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed partial class ReadmeFirstRunTests(TestImage image) : IAsyncLifetime, IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    /// <summary>A reuse: ./publish finding nothing to do, then a tag.</summary>
    private static readonly TimeSpan BuildBound = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    private readonly TempDir _root = new("aisandbox-e2e-readme-");
    private readonly OAuthTestServer _oauth = OAuthTestServer.Start();
    private readonly string _image = $"localhost/ai-readme-{Guid.NewGuid():N}"[..36] + ":latest";
    private readonly string _project = "readme" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<Sandbox> _boxes = [];

    private string Home => _root["home"];

    private string ProjectDir => Path.Combine(Home, "src", _project);

    private string Settings => Path.Combine(Home, "ai", "settings");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(ProjectDir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var box in _boxes)
        {
            await box.DisposeAsync();
        }

        // Only the scratch name goes; the image stays under its other names.
        await Podman.RunAsync(["untag", _image, _image]);
        await _oauth.DisposeAsync();
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Bin_ai_work_on_a_fresh_home_logs_in_builds_boots_reaches_claude_and_codex_and_resumes()
    {
        Assert.NotEqual(0, (await Podman.RunAsync(["image", "exists", _image])).ExitCode);
        var label = (await Podman.CheckedAsync(["image", "inspect", "--format", "{{index .Labels \"org.aisandbox.inputs\"}}", image.Name])).Stdout.Trim();
        Assert.False(string.IsNullOrEmpty(label), $"{image.Name} has no inputs label: bin/ai would build it from scratch");

        // 1. bin/ai work: the login, the build, the boot, Claude Code.
        var marker = "readme-first-run-" + Guid.NewGuid().ToString("N")[..8];
        var pasted = "";
        await using (var term = await StartAsync("work"))
        {
            await GuardAsync(term, async () =>
            {
                var screen = await term.WaitForTextAsync("Code: ", Step);
                Assert.Contains("msg=\"no claude credentials for this profile yet, logging in\" profile=work", screen, StringComparison.Ordinal);
                pasted = _oauth.Authorize(AuthorizeUrl().Match(screen).Value, "work");
                await term.SendLineAsync(pasted);
                await term.WaitForTextAsync("Login successful! Credentials saved to .credentials.work.json", Step);

                screen = await term.WaitForTextAsync("msg=\"image built\"", BuildBound);
                Assert.Contains($"msg=\"image not found: building it with ./build_image, {"about 5 minutes"}", screen, StringComparison.Ordinal);
                Assert.Contains("msg=\"image up to date\"", screen, StringComparison.Ordinal);
                Assert.Equal(label, (await Podman.CheckedAsync(["image", "inspect", "--format", "{{index .Labels \"org.aisandbox.inputs\"}}", _image])).Stdout.Trim());

                var box = await WatchAsync(term);
                // ai's "sandbox ready" line can be redrawn over by the launcher's readiness display when systemd's
                // READY comes after the launcher started drawing; the display's own lines stay.
                await WaitForClaudePromptAsync(term);
                screen = await term.CaptureAsync();
                foreach (var service in new[] { "postgresql", "redis" })
                {
                    Assert.Matches($@"(?m)^\s*{service}\s+ready\s+\d+\.\ds", screen);
                }

                var written = term.Raw();
                AssertQuietConsole(written[written.LastIndexOf("msg=\"starting sandbox\"", StringComparison.Ordinal)..]);

                // The login's URLs reached the container too: its refresher talks to the test's server.
                var environ = await box.ShAsync("tr '\\0' '\\n' </proc/$(systemctl show -p MainPID --value refresh-tokens)/environ");
                Assert.Contains("CLAUDE_OAUTH_TOKEN_URL=" + HostLoopback.Inside(_oauth.TokenUrl), environ, StringComparison.Ordinal);

                // A first prompt, so there is a conversation to resume: Claude writes it into the session's transcript
                // before it asks the API (which the dead proxy refuses).
                await term.SendLineAsync("say " + marker);
                await WaitAsync(() => Transcript(marker) is not null, Step, "the transcript holding the first prompt");
                // Claude retries the refused API call; Escape interrupts it and puts the prompt back into the input,
                // which Ctrl-U clears, so the `x` that follows is a prompt of its own.
                await WaitAsync(async () =>
                {
                    if (!(await term.ScreenAsync()).Contains("esc to interrupt", StringComparison.Ordinal))
                    {
                        return true;
                    }

                    await term.SendKeysAsync("Escape");
                    return false;
                }, Step, "claude interrupted");
                await term.SendKeysAsync("C-u");
                await LeaveAsync(term, box, "claude");
            });
        }

        var chain = Path.Combine(Settings, ".credentials.work.json");
        var token = UserSandbox.ReadJson(chain)["claudeAiOauth"]!["accessToken"]!.GetValue<string>();
        Assert.True(_oauth.IsAccessTokenValid(token), "~/ai/settings holds a token the server did not issue");
        Assert.Equal(Private, File.GetUnixFileMode(chain));
        Assert.Equal(PrivateDir, File.GetUnixFileMode(Settings));
        var session = Path.GetFileNameWithoutExtension(Transcript(marker)!);

        // 2. bin/ai cx work: the Codex sign-in the product offers (a device code the test's server approves), then Codex.
        await using (var term = await StartAsync("cx", "work"))
        {
            await GuardAsync(term, async () =>
            {
                var screen = await term.WaitForTextAsync("Login successful! Credentials saved to ", Step);
                Assert.Contains("msg=\"no codex credentials for this profile yet, logging in\" profile=work", screen, StringComparison.Ordinal);
                Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(Settings, "codex_work", "auth.json")));
                var box = await WatchAsync(term);
                await term.WaitForTextAsync(CodexPrompt, Boot);
                await LeaveAsync(term, box, "codex");
            });
        }

        // 3. bin/ai work --resume ID: the first session's home and conversation come back.
        await using (var term = await StartAsync("work", "--resume", session[..8]))
        {
            await GuardAsync(term, async () =>
            {
                var box = await WatchAsync(term);
                await term.WaitForTextAsync(marker, Boot);
                await WaitForClaudePromptAsync(term);
                // The session home was reused, not a new one made.
                Assert.Single(Directory.GetDirectories(Path.Combine(Home, "ai", "history"), "*_claude", SearchOption.AllDirectories));
                await LeaveAsync(term, box, "claude");
            });
        }

        // The terminal echoes what the person pasted (a single-use code, spent by now); nothing else may show a secret.
        var screens = File.ReadAllText(_root["screens.log"]).Replace(pasted, "<pasted>", StringComparison.Ordinal);
        _oauth.AssertNoSecrets(screens.Split('\n'), "terminal");
    }

    /// <summary>What Claude Code shows once its prompt takes input, with permissions off as `c` starts it.</summary>
    private const string ClaudePrompt = "bypass permissions on";

    /// <summary>Codex's composer, ready for the first task.</summary>
    private const string CodexPrompt = "Ask Codex to do anything";

    [GeneratedRegex(@"https?://127\.0\.0\.1:\d+/oauth/authorize\?\S+")]
    private static partial Regex AuthorizeUrl();

    private static Task<string> WaitForClaudePromptAsync(Tmux term) => term.WaitForTextAsync(ClaudePrompt, Boot);

    /// <summary>
    /// Systemd's boot chatter stays in the journal: none of it reaches the terminal, not even for a moment before a
    /// redraw, so the check reads everything written to it. That includes the two cgroup lines systemd 257 prints
    /// before it reads any configuration where the host mounts cpu and cpuacct as two cgroup v1 hierarchies:
    /// ai's terminal relay drops them. <paramref name="written"/> starts at podman's start (ai's "starting sandbox").
    /// </summary>
    internal static void AssertQuietConsole(string written)
    {
        foreach (var noise in new[] { "Failed", "BPF", "ProtectHostname", "Welcome to", "running in system mode" })
        {
            Assert.DoesNotContain(noise, written, StringComparison.Ordinal);
        }
    }

    private async Task<Tmux> StartAsync(params string[] args)
    {
        var inside = new List<string>
        {
            "--network=" + HostLoopback.Network,
            "--env", "CLAUDE_OAUTH_TOKEN_URL=" + HostLoopback.Inside(_oauth.TokenUrl),
            "--env", "CODEX_ISSUER=" + HostLoopback.Inside(_oauth.Issuer).TrimEnd('/'),
        };
        // The real agents call home when they start; a proxy on a closed port refuses that at once.
        var deadProxy = $"http://{HostLoopback.AddressInside}:9";
        foreach (var name in new[] { "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy" })
        {
            inside.AddRange(["--env", $"{name}={deadProxy}"]);
        }

        foreach (var name in new[] { "NO_PROXY", "no_proxy" })
        {
            inside.AddRange(["--env", $"{name}={HostLoopback.AddressInside},127.0.0.1,localhost"]);
        }

        var env = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["CONTAINERS_CONF"] = null,
            ["AI_DIR"] = null,
            ["AI_IMAGE"] = _image,
            ["AISANDBOX_TEST_IMAGE"] = null,
            ["AI_PODMAN_EXTRA_ARGS"] = string.Join(' ', inside),
            ["CLAUDE_OAUTH_TOKEN_URL"] = _oauth.TokenUrl,
            ["CLAUDE_OAUTH_AUTHORIZE_URL"] = _oauth.AuthorizeUrl,
            ["CODEX_ISSUER"] = _oauth.Issuer,
            // The README's order: ./test ran first under the same account, so dotnet's package cache and first-run
            // state are there when bin/ai's build publishes; only ~/ai is new. (A HOME without them restores every
            // package again and recompiles every binary.)
            ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
                ? packages
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            ["DOTNET_CLI_HOME"] = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") is { Length: > 0 } cli
                ? cli
                : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        };
        return await Tmux.StartAsync([Path.Combine(RepoPaths.Root, "bin", "ai"), .. args], env, ProjectDir);
    }

    private async Task<Sandbox> WatchAsync(Tmux term)
    {
        var box = await Sandbox.WaitForAsync(_project, Boot, async () => "terminal:\n" + await term.CaptureAsync());
        _boxes.Add(box);
        return box;
    }

    /// <summary>
    /// Leaves the agent (`x` at Claude's prompt, which its hook turns into an exit; Codex has no such hook and
    /// leaves on Ctrl-C), then `x` in the shell: bin/ai returns and the container is gone.
    /// </summary>
    private static async Task LeaveAsync(Tmux term, Sandbox box, string agent)
    {
        if (agent == "claude")
        {
            await term.SendLineAsync("x");
        }
        else
        {
            await term.SendKeysAsync("C-c");
        }

        await WaitAsync(async () =>
        {
            // Claude Code's npm package runs its native build, bin/claude.exe, under that name.
            if ((await box.ExecAsync("pgrep", "-x", agent == "claude" ? "claude|claude.exe" : agent)).ExitCode != 0)
            {
                return true;
            }

            if (agent != "claude")
            {
                await term.SendKeysAsync("C-c"); // Codex asks for a second Ctrl-C when the first came while it was busy
            }

            return false;
        }, Step, agent + " leaving");
        await term.SendLineAsync("x");
        Assert.Equal(0, await term.WaitForExitAsync(Step));
        await WaitAsync(async () => (await Podman.RunAsync(["container", "exists", box.Name])).ExitCode != 0, Step, "the container gone");
    }

    /// <summary>The session transcript (…_claude/projects/&lt;slug&gt;/&lt;id&gt;.jsonl under ~/ai/history) that holds <paramref name="text"/>, if any.</summary>
    private string? Transcript(string text)
    {
        var history = Path.Combine(Home, "ai", "history");
        return Directory.Exists(history)
            ? Directory.EnumerateFiles(history, "*.jsonl", SearchOption.AllDirectories)
                .FirstOrDefault(f => f.Contains("_claude", StringComparison.Ordinal) && f.Contains("/projects/", StringComparison.Ordinal)
                    && File.ReadAllText(f).Contains(text, StringComparison.Ordinal))
            : null;
    }

    private static Task WaitAsync(Func<bool> done, TimeSpan bound, string what) => WaitAsync(() => Task.FromResult(done()), bound, what);

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan bound, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(clock.Elapsed < bound, $"{what}: not seen within {bound.TotalSeconds:F0}s");
            await Task.Delay(200);
        }
    }

    /// <summary>Runs a step; a failure carries the screen, and every screen is kept for the secrets check.</summary>
    private async Task GuardAsync(Tmux term, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not SandboxFailure)
        {
            var journal = _boxes.Count > 0 ? await _boxes[^1].JournalAsync() : "(no container)";
            throw new SandboxFailure($"{e.Message}\n--- terminal ---\n{await term.CaptureAsync()}\n--- journal ---\n{journal}", e);
        }
        finally
        {
            await File.AppendAllTextAsync(_root["screens.log"], await term.CaptureAsync());
        }
    }
}
