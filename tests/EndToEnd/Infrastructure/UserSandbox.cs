using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// `bin/ai work` as a user runs it, in a real terminal: a scratch project, a scratch AI_DIR whose
/// settings hold credentials issued by a loopback OAuth server the test runs, the test image, and the
/// container reaching that server through the host's loopback. Everything it made is removed on dispose.
/// </summary>
internal sealed class UserSandbox : IAsyncDisposable
{
    private readonly TempDir _root = new("aisandbox-e2e-user-");

    private UserSandbox(string project) => Project = project;

    public OAuthTestServer OAuth { get; } = OAuthTestServer.Start();

    public string Project { get; }

    public string ProjectDir => _root["p/" + Project];

    public string AiDir => _root["ai"];

    public string SettingsFile => Path.Combine(AiDir, "settings", ".credentials.work.json");

    /// <summary>A free host port published to the broker's 5672 (bound to 127.0.0.1 by bin/ai).</summary>
    public int AmqpPort { get; } = FreePort();

    public IssuedCredentials Issued { get; private set; } = null!;

    public Tmux Terminal { get; private set; } = null!;

    public Sandbox Box { get; private set; } = null!;

    /// <summary>The container's journal as followed from outside (it outlives the container).</summary>
    public JournalFollower Journal { get; private set; } = null!;

    /// <summary>Writes the settings, starts `bin/ai work` in tmux and waits for its container to exist.</summary>
    public static async Task<UserSandbox> StartAsync(TestImage image, IReadOnlyDictionary<string, string>? containerEnv = null)
    {
        var user = new UserSandbox("e2e" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            await user.LaunchAsync(image, containerEnv ?? new Dictionary<string, string>());
            return user;
        }
        catch
        {
            await user.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync(TestImage image, IReadOnlyDictionary<string, string> containerEnv)
    {
        Directory.CreateDirectory(ProjectDir);
        Directory.CreateDirectory(Path.Combine(AiDir, "settings"));
        Directory.CreateDirectory(_root["home"]);
        Issued = OAuth.IssueCredentials("work");
        Issued.WriteTo(SettingsFile);
        await File.WriteAllTextAsync(Path.Combine(AiDir, "settings", "sentry.token"), " tok-e2e-sentry \n");
        await File.WriteAllTextAsync(Path.Combine(AiDir, "settings", "AGENTS.md"), "# rules for the e2e agent\n");

        var extra = new List<string> { "--network=" + HostLoopback.Network, "--env", "CLAUDE_OAUTH_TOKEN_URL=" + HostLoopback.Inside(OAuth.TokenUrl) };
        // The real agents call home on start (API, npx downloads). A proxy on a closed host-loopback port
        // turns every such call into an immediate "connection refused", so nothing leaves the machine;
        // the OAuth server is reached directly.
        var deadProxy = $"http://{HostLoopback.AddressInside}:{FreePort()}";
        foreach (var name in new[] { "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy" })
        {
            extra.AddRange(["--env", $"{name}={deadProxy}"]);
        }

        foreach (var name in new[] { "NO_PROXY", "no_proxy" })
        {
            extra.AddRange(["--env", $"{name}={HostLoopback.AddressInside},127.0.0.1,localhost"]);
        }
        foreach (var (key, value) in containerEnv)
        {
            extra.AddRange(["--env", $"{key}={value}"]);
        }

        var env = new Dictionary<string, string?>
        {
            ["HOME"] = _root["home"],
            ["AI_DIR"] = AiDir,
            ["AI_IMAGE"] = image.Name,
            ["AI_PODMAN_EXTRA_ARGS"] = string.Join(' ', extra),
            ["CLAUDE_OAUTH_TOKEN_URL"] = OAuth.TokenUrl,
            ["CLAUDE_OAUTH_AUTHORIZE_URL"] = OAuth.AuthorizeUrl,
        };
        Terminal = await Tmux.StartAsync([Path.Combine(RepoPaths.Root, "bin", "ai"), "work", "--ports", $"{AmqpPort}:5672"], env, ProjectDir);
        Box = await Sandbox.WaitForAsync(Project, TimeSpan.FromSeconds(60), async () => "terminal:\n" + await Terminal.CaptureAsync());
        Journal = await JournalFollower.StartAsync(Box.Name);
    }

    /// <summary>The session homes `c` made under the mounted history (…/&lt;YYYY&gt;/&lt;MM_Mon&gt;/&lt;DD_Ddd_HH-MM&gt;_claude).</summary>
    public IReadOnlyList<string> ClaudeSessions() =>
        Directory.Exists(Path.Combine(AiDir, "history"))
            ? Directory.GetDirectories(Path.Combine(AiDir, "history"), "*_claude*", SearchOption.AllDirectories)
            : [];

    public static JsonNode ReadJson(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>Runs the body; a failure carries the terminal screen and the container's journal.</summary>
    public async Task GuardAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not SandboxFailure)
        {
            var screen = Terminal is null ? string.Empty : await Terminal.CaptureAsync();
            var journal = Journal is null ? "(no container)" : Journal.Text;
            throw new SandboxFailure($"{e.Message}\n--- terminal ---\n{screen}\n--- journal of {Box?.Name} ---\n{journal}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Terminal is not null)
        {
            await Terminal.DisposeAsync();
        }

        if (Box is not null)
        {
            await Box.DisposeAsync();
        }

        if (Journal is not null)
        {
            await Journal.DisposeAsync();
        }

        await OAuth.DisposeAsync();
        _root.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
