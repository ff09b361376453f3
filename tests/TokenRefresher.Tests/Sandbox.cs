using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// Scratch directories (settings, credentials, history, home) plus a loopback OAuth server, and a way to
/// run the published binaries against them. Every line any run writes is checked for secrets.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private readonly TempDir _temp = new("refresher-");

    public Sandbox()
    {
        Server = OAuthTestServer.Start();
        Directory.CreateDirectory(Settings);
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(History);
    }

    public OAuthTestServer Server { get; }

    public string Root => _temp.Path;

    public string Settings => _temp["settings"];

    public string Home => _temp["home"];

    public string History => _temp["history"];

    /// <summary>Everything written by every process of this test, for the final secret check.</summary>
    public List<string> AllOutput { get; } = [];

    public string SettingsCopy(string profile) => Path.Combine(Settings, $".credentials.{profile}.json");

    /// <summary>The environment of a run: our directories, our server, short HTTP timeouts.</summary>
    public Dictionary<string, string?> Env(string? credentialsDir = null, params (string Key, string? Value)[] extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["CREDENTIALS_DIR"] = credentialsDir ?? Settings,
            ["SETTINGS_DIR"] = Settings,
            ["HISTORY_DIR"] = History,
            ["CLAUDE_OAUTH_TOKEN_URL"] = Server.TokenUrl,
            ["CLAUDE_OAUTH_AUTHORIZE_URL"] = Server.AuthorizeUrl,
            ["CODEX_ISSUER"] = Server.Issuer,
            ["OAUTH_HTTP_TIMEOUT"] = "2",
            ["OAUTH_HTTP_RETRIES"] = "1",
            ["OAUTH_HTTP_RETRY_DELAY_MS"] = "50",
            ["AI_DIR"] = Path.Combine(Root, "ai"),
        };
        foreach (var (k, v) in extra)
        {
            env[k] = v;
        }

        return env;
    }

    public Task<ProcessResult> RunAsync(params string[] args) => RunAsync(args, Env());

    public async Task<ProcessResult> RunAsync(string[] args, Dictionary<string, string?> env, string? stdin = null, string command = "refresh-tokens", TimeSpan? timeout = null)
    {
        var result = await Run.CommandAsync(command, args, env, stdin, timeout: timeout);
        Record(result.StdoutLines.Concat(result.StderrLines));
        return result;
    }

    /// <summary>Checks lines for secrets now and keeps them for the final check.</summary>
    public void Record(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        lock (AllOutput)
        {
            AllOutput.AddRange(list);
        }

        Server.AssertNoSecrets(list);
    }

    /// <summary>A session directory in the history tree with a <c>.profile</c>; returns its credential path.</summary>
    public string SessionCopy(string profile, string name, IssuedCredentials? creds = null, long? expiresAtMs = null)
    {
        var dir = Path.Combine(History, "2026", "11_Nov", $"{name}_claude");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, ".profile"), profile + "\n");
        var path = Path.Combine(dir, ".credentials.json");
        creds?.WriteTo(path, expiresAtMs);
        return path;
    }

    public static JsonObject OAuthOf(string path) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(path))!["claudeAiOauth"]!;

    public static long ExpiresAt(string path) => OAuthOf(path)["expiresAt"]!.GetValue<long>();

    public static string AccessToken(string path) => OAuthOf(path)["accessToken"]!.GetValue<string>();

    public static string RefreshToken(string path) => OAuthOf(path)["refreshToken"]!.GetValue<string>();

    public static long InMs(TimeSpan fromNow) => DateTimeOffset.UtcNow.Add(fromNow).ToUnixTimeMilliseconds();

    public static UnixFileMode Mode(string path) => File.GetUnixFileMode(path);

    public async ValueTask DisposeAsync()
    {
        Server.AssertNoSecrets(AllOutput, "combined output");
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}
