using System.Diagnostics;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests.Support;

/// <summary>
/// A scratch layout standing in for the container: HOME, /history, /settings, the /claude templates
/// (copied from the repository's claude/), plugin roots, and the stub agent first on PATH.
/// </summary>
public sealed class LauncherSandbox : IDisposable
{
    private readonly TempDir _temp = new("aisandbox-launch-");

    public LauncherSandbox(StubAgent stub)
    {
        Stub = stub;
        foreach (var dir in new[] { Home, History, Settings, ClaudeDir, PluginRoot, App })
        {
            Directory.CreateDirectory(dir);
        }

        foreach (var file in new[] { "settings.json", "claude.json", "plugins.blocklist" })
        {
            File.Copy(Path.Combine(RepoPaths.Root, "claude", file), Path.Combine(ClaudeDir, file));
        }
    }

    public StubAgent Stub { get; }

    public string Root => _temp.Path;

    public string Home => _temp["home"];

    public string History => _temp["history"];

    public string Settings => _temp["settings"];

    public string ClaudeDir => _temp["claude"];

    public string PluginRoot => _temp["plugins"];

    public string App => _temp["app"];

    public string RecordFile => _temp["stub.record"];

    /// <summary>The environment every launcher run gets; tests add or override (null removes).</summary>
    public Dictionary<string, string?> Env() => new()
    {
        ["PATH"] = Stub.BinDir + ":/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = Home,
        ["HISTORY_ROOT"] = History,
        ["SETTINGS_ROOT"] = Settings,
        ["CLAUDE_SETTINGS_FILE"] = Path.Combine(ClaudeDir, "settings.json"),
        ["CLAUDE_JSON_TEMPLATE"] = Path.Combine(ClaudeDir, "claude.json"),
        ["PLUGIN_ROOT"] = PluginRoot,
        ["PLUGIN_BLOCKLIST"] = _temp["no-image-blocklist"],
        ["CODEX_PLUGIN_ROOT"] = _temp["codex-plugins"],
        ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + _temp["no-bus"],
        ["STUB_RECORD"] = RecordFile,
        // No supervisor answers on this bus; with no services configured the in-process probes finish at once.
        ["AI_SERVICES"] = "none",
        ["AI_SUPERVISOR_CONFIG"] = _temp["no-supervisor-config.json"],
        ["PWD"] = App,
    };

    public void WriteCredentials(string profile, long expiresAtMs, string accessToken = "at-settings") =>
        File.WriteAllText(Path.Combine(Settings, $".credentials.{profile}.json"),
            "{\"claudeAiOauth\":{\"accessToken\":\"" + accessToken + "\",\"refreshToken\":\"rt\",\"expiresAt\":" + expiresAtMs + ",\"scopes\":[\"user:inference\"]}}");

    public static long InHours(double hours) => DateTimeOffset.UtcNow.AddHours(hours).ToUnixTimeMilliseconds();

    public IReadOnlyList<string> SessionHomes(string tool) =>
        Directory.Exists(History)
            ? Directory.GetDirectories(History, "*_" + tool, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Runs a published launcher; returns its result, its PID and what the stub recorded (null when no agent ran).</summary>
    public async Task<LaunchResult> RunAsync(string command, IEnumerable<string> args, Action<Dictionary<string, string?>>? env = null, string? stdin = null)
    {
        File.Delete(RecordFile);
        var vars = Env();
        env?.Invoke(vars);
        var psi = Run.Start(RepoPaths.Binary(command), args, vars, App);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + command);
        var pid = process.Id;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return new LaunchResult(new ProcessResult(process.ExitCode, await stdout, await stderr), pid, StubRecord.Read(RecordFile));
    }

    public void Dispose() => _temp.Dispose();
}

public sealed record LaunchResult(ProcessResult Result, int Pid, StubRecord? Agent)
{
    public StubRecord Ran => Agent ?? throw new Xunit.Sdk.XunitException("the agent did not run\n" + Result);

    public override string ToString() => Result.ToString();
}
