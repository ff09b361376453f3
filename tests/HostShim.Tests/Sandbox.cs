using AiSandbox.Common.Cli;
using AiSandbox.HostShim.Commands;
using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.HostShim.Tokens;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// One test's world: a home with an AI_DIR, a project directory, a repository directory, and the fake
/// podman's log. Runs <c>ai</c> in-process or as the published binary with the same environment.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    private readonly TempDir _root = new("aisandbox-hostshim-");
    private readonly FakePodmanBinary _podman;

    public Sandbox(FakePodmanBinary podman, string projectName = "my-project")
    {
        _podman = podman;
        Home = _root["home"];
        AiDir = Path.Combine(Home, "ai");
        Project = Path.Combine(Home, "src", projectName);
        Repo = _root["repo"];
        PodmanLog = _root["podman.log"];
        Directory.CreateDirectory(Project);
        Directory.CreateDirectory(Path.Combine(Repo, "claude"));
        Env = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["PATH"] = podman.BinDir + ":/usr/local/bin:/usr/bin:/bin",
            ["AI_REPO"] = Repo,
            ["FAKE_PODMAN_LOG"] = PodmanLog,
            ["XDG_RUNTIME_DIR"] = null,
            // podman info's answers are kept under $HOME/.cache: each test's own.
            ["XDG_CACHE_HOME"] = null,
        };
    }

    public string Home { get; }

    public string AiDir { get; }

    public string Project { get; }

    public string Repo { get; }

    public string PodmanLog { get; }

    public string Root => _root.Path;

    public Dictionary<string, string?> Env { get; }

    /// <summary>The host's limits and runtimes as the in-process command sees them; none to adapt by default.</summary>
    public AiSandbox.HostShim.Podman.HostFacts Host { get; set; } = AiSandbox.HostShim.Podman.HostFacts.Roomy;

    public IReadOnlyList<PodmanCall> Calls => PodmanCall.Read(PodmanLog);

    public PodmanCall RunCall => Assert.Single(Calls, c => c.Command == "run");

    /// <summary>
    /// The podman commands in order, the launch's first questions (info, ps, image inspect), which it asks side
    /// by side in no fixed order, sorted among themselves.
    /// </summary>
    public IEnumerable<string> Commands
    {
        get
        {
            var commands = Calls.Select(c => c.Command).ToList();
            var questions = commands.TakeWhile(c => c is "info" or "ps" or "image").Take(3).Count();
            return commands.Take(questions).Order(StringComparer.Ordinal).Concat(commands.Skip(questions));
        }
    }

    /// <summary>
    /// A launch that stops early only asked podman questions (nothing created or started): info, and those of
    /// ps and image inspect that it had begun before it stopped, which are asked side by side with info.
    /// </summary>
    public void AssertOnlyAsked()
    {
        var commands = Calls.Select(c => c.Command).ToList();
        Assert.Contains("info", commands);
        Assert.All(commands, c => Assert.Contains(c, (string[])["info", "ps", "image"]));
    }

    public string PodmanDir => _podman.BinDir;

    /// <summary>Writes settings/.credentials.&lt;profile&gt;.json expiring at <paramref name="expiresAt"/>.</summary>
    public string AddClaudeProfile(string profile, DateTimeOffset expiresAt, string accessToken = "sk-ant-oat01-secret-access", string refreshToken = "sk-ant-ort01-secret-refresh")
    {
        var path = Path.Combine(AiDir, "settings", $".credentials.{profile}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$$"""{"claudeAiOauth":{"accessToken":"{{{accessToken}}}","refreshToken":"{{{refreshToken}}}","expiresAt":{{{expiresAt.ToUnixTimeMilliseconds()}}},"scopes":["user:inference"]}}""");
        return path;
    }

    public string AddCodexProfile(string profile)
    {
        var path = Path.Combine(AiDir, "settings", $"codex_{profile}", "auth.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, """{"auth_mode":"chatgpt","tokens":{"access_token":"secret-codex-access","refresh_token":"secret-codex-refresh"}}""");
        return path;
    }

    /// <summary>Calls the command in-process, as Program.cs does, with this sandbox's environment.</summary>
    /// <param name="stdinFactory">Builds stdin from stdout, for a test that answers what the command printed.</param>
    /// <param name="terminal">Whether stdin plays a terminal a person answers on.</param>
    public async Task<ProcessResult> InProcessAsync(IReadOnlyList<string> args, IClaudeChains? chains = null, string stdin = "",
        string? cwd = null, TimeProvider? time = null, Func<StringWriter, TextReader>? stdinFactory = null, bool terminal = false)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new Dictionary<string, string?>(Env);
        Func<string, string?> lookup = name => env.TryGetValue(name, out var value) ? value : null;
        var context = new CommandContext("ai", args, stdinFactory?.Invoke(stdout) ?? new StringReader(stdin), stdout, stderr,
            lookup, time ?? TimeProvider.System, CancellationToken.None);
        // The real chain API, as Program.cs builds it.
        chains ??= new RefresherChains(lookup, stderr, time ?? TimeProvider.System);
        var services = new ShimServices(cwd ?? Project, chains, Repo, env, () => terminal, Host);
        var exit = await AiCommand.RunAsync(context, services);
        return new ProcessResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary><c>ai ARGS --dry-run</c> in-process: the podman argv it prints, one argument per line (line 1, podman, dropped).</summary>
    public async Task<IReadOnlyList<string>> DryRunArgvAsync(params string[] args)
    {
        var result = await InProcessAsync([.. args, "--dry-run"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Argv.FromDryRun(result.Stdout);
    }

    /// <summary>Runs the published binary (artifacts/bin/ai) with this sandbox's environment.</summary>
    public Task<ProcessResult> PublishedAsync(IReadOnlyList<string> args, string? stdin = null, string? cwd = null) =>
        Run.CommandAsync("ai", args, Env, stdin, cwd ?? Project, TimeSpan.FromSeconds(30));

    public void Dispose() => _root.Dispose();
}
