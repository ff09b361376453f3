using System.Diagnostics;
using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.Launchers.Tests.Support;

/// <summary>
/// Concurrent <c>cx</c> sessions of profile alpha, each in its own HOME (as separate sandboxes are) but
/// sharing /settings and /history, with the codex stand-in refreshing against a loopback OAuth server.
/// Steps are driven through signal files in <see cref="Control"/>.
/// </summary>
public sealed class CodexRig : IAsyncDisposable
{
    public const string Profile = "alpha";

    /// <summary>The OAuth server's name for the one lineage every test here works on.</summary>
    public const string Lineage = "codex";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly CodexStandIn _codex;
    private readonly List<RunningCx> _started = [];

    public CodexRig(StubAgent stub, CodexStandIn codex)
    {
        _codex = codex;
        Box = new LauncherSandbox(stub);
        Server = OAuthTestServer.Start();
        Control = Path.Combine(Box.Root, "control");
        Directory.CreateDirectory(Control);
        Directory.CreateDirectory(Path.GetDirectoryName(SharedAuth)!);
    }

    public LauncherSandbox Box { get; }

    public OAuthTestServer Server { get; }

    public string Control { get; }

    public string SharedAuth => Path.Combine(Box.Settings, "codex_" + Profile, "auth.json");

    public IEnumerable<RunningCx> Started => _started;

    /// <summary>A logged-in shared copy, as codex-login left it an hour ago.</summary>
    public void Seed()
    {
        var issued = Server.IssueCredentials(Lineage);
        File.WriteAllText(SharedAuth, new JsonObject
        {
            ["auth_mode"] = "chatgpt",
            ["OPENAI_API_KEY"] = null,
            ["tokens"] = new JsonObject
            {
                ["id_token"] = Server.IdToken(),
                ["access_token"] = issued.AccessToken,
                ["refresh_token"] = issued.RefreshToken,
                ["account_id"] = Server.ChatGptAccountId,
            },
            ["last_refresh"] = DateTimeOffset.UtcNow.AddHours(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        }.ToJsonString());
        File.SetUnixFileMode(SharedAuth, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string Signal(string name) => Path.Combine(Control, name);

    public void Touch(string name) => File.WriteAllText(Signal(name), string.Empty);

    /// <summary>Starts <c>cx alpha</c> whose codex follows <paramref name="plan"/> (see codex-standin.py).</summary>
    public RunningCx Start(string name, string plan)
    {
        var home = Path.Combine(Box.Root, "homes", name);
        Directory.CreateDirectory(home);
        var env = Box.Env();
        env["HOME"] = home;
        env["PATH"] = _codex.BinDir + ":/usr/local/bin:/usr/bin:/bin";
        env["CODEX_REFRESH_TOKEN_URL_OVERRIDE"] = new Uri(Server.BaseUrl, "oauth/token").ToString();
        env["CODEX_STANDIN_PLAN"] = plan;
        env["CODEX_STANDIN_LOG"] = Signal(name + ".log");
        var process = Process.Start(Run.Start(RepoPaths.Binary("cx"), [Profile], env, Box.App)) ?? throw new InvalidOperationException("cannot start cx");
        process.StandardInput.Close();
        var running = new RunningCx(name, process);
        _started.Add(running);
        return running;
    }

    /// <summary>Waits (bounded, never as an assertion of speed) until a signal file exists.</summary>
    public async Task WaitForAsync(string name)
    {
        var path = Signal(name);
        var start = Stopwatch.GetTimestamp();
        while (!File.Exists(path))
        {
            if (Stopwatch.GetElapsedTime(start) > Bound)
            {
                throw new TimeoutException($"{name} did not appear; sessions:\n" + string.Join("\n", _started.Select(s => s.Describe())));
            }

            await Task.Delay(5);
        }
    }

    /// <summary>The refresh outcomes a session's codex logged ("ok", "failed 400").</summary>
    public IReadOnlyList<string> RefreshLog(string name) => File.Exists(Signal(name + ".log")) ? File.ReadAllLines(Signal(name + ".log")) : [];

    public static (string Access, string Refresh, string? LastRefresh) Tokens(string authPath)
    {
        var doc = JsonNode.Parse(File.ReadAllText(authPath))!;
        return (doc["tokens"]!["access_token"]!.GetValue<string>(), doc["tokens"]!["refresh_token"]!.GetValue<string>(), doc["last_refresh"]?.GetValue<string>());
    }

    /// <summary>The shared copy holds the last tokens the server issued for the lineage, and its refresh token is unspent.</summary>
    public void AssertSharedIsNewestAndLive(string because)
    {
        var (access, refresh, _) = Tokens(SharedAuth);
        Assert.True(access == Server.LatestAccessToken(Lineage), "the shared auth.json does not hold the newest tokens: " + because);
        Assert.True(Server.IsRefreshTokenLive(refresh), "the shared auth.json holds a spent refresh token: " + because);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SharedAuth));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _started)
        {
            running.Kill();
        }

        await Server.DisposeAsync();
        Box.Dispose();
    }
}

/// <summary>One running <c>cx</c>.</summary>
public sealed class RunningCx(string name, Process process)
{
    private readonly Task<string> _stdout = process.StandardOutput.ReadToEndAsync();
    private readonly Task<string> _stderr = process.StandardError.ReadToEndAsync();

    public string Name => name;

    public int Pid => process.Id;

    public async Task<ProcessResult> ExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return new ProcessResult(process.ExitCode, await _stdout, await _stderr);
    }

    public string Describe() => $"{name}: {(process.HasExited ? "exited " + process.ExitCode : "running")}";

    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }
}
