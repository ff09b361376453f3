using System.Text.Json.Nodes;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.EndToEnd;

/// <summary>
/// Rootless podman, run by a real unprivileged user (scripts/rootless-user: subordinate ids, uidmap). This
/// host's cgroup hierarchy is v1, where systemd cannot boot rootless: <c>ai</c> says so before it starts
/// anything. What rootless can run here, the standalone <c>refresh-tokens --daemon</c> container (no
/// systemd), refreshes the user's bind-mounted settings copy, which stays the user's own file, 0600.
/// The user's image holds only refresh-tokens and the C library it links: loading the 3.6 GB test image
/// into a rootless store (vfs here) would take minutes.
/// </summary>
public sealed class RootlessTests : IAsyncLifetime, IDisposable
{
    private const string Image = "localhost/aisandbox-rootless-refresher:test";
    private readonly TempDir _root = new("aisandbox-e2e-rootless-");
    private string _user = "";
    private int _uid;

    public async Task InitializeAsync()
    {
        var made = await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "scripts", "rootless-user"), []);
        Assert.True(made.ExitCode == 0, "scripts/rootless-user (needs root and uidmap): " + made);
        _user = made.Stdout.Trim();
        _uid = int.Parse((await Run.ProcessAsync("/usr/bin/id", ["-u", _user])).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        File.SetUnixFileMode(_root.Path, (UnixFileMode)0b111_101_101);

        // A root file system of refresh-tokens and the libraries ldd names, imported into the user's store.
        var fs = _root["rootfs"];
        var binary = RepoPaths.Binary("refresh-tokens");
        Copy(binary, Path.Combine(fs, "usr/local/bin/refresh-tokens"));
        var ldd = await Run.ProcessAsync("/usr/bin/ldd", [binary]);
        foreach (var line in ldd.StdoutLines)
        {
            var path = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.StartsWith('/'));
            if (path is not null)
            {
                Copy(path, fs + path);
            }
        }

        Directory.CreateDirectory(Path.Combine(fs, "tmp"));
        var tar = await Run.ProcessAsync("/usr/bin/tar", ["-C", fs, "-cf", _root["rootfs.tar"], "."]);
        Assert.True(tar.ExitCode == 0, tar.ToString());
        File.SetUnixFileMode(_root["rootfs.tar"], (UnixFileMode)0b110_100_100);
        var import = await AsUserAsync(["podman", "import", _root["rootfs.tar"], Image]);
        Assert.True(import.ExitCode == 0, "rootless podman import: " + import);
    }

    public async Task DisposeAsync()
    {
        await AsUserAsync(["podman", "rm", "--force", "--ignore", "--time", "0", "token-refresh"]);
        await AsUserAsync(["podman", "rmi", "--force", Image]);
        // The user's files are not all root's to delete through .NET's checks; rm is.
        await Run.ProcessAsync("/usr/bin/rm", ["-rf", _root.Path]);
    }

    public void Dispose() => _root.Dispose();

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    /// <summary>Runs a command as the unprivileged user, with only the variables given (and PATH, HOME).</summary>
    private Task<ProcessResult> AsUserAsync(IEnumerable<string> command, IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null)
    {
        var args = new List<string> { "-u", _user, "--", "/usr/bin/env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", $"HOME=/home/{_user}" };
        args.AddRange((env ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"));
        args.AddRange(command);
        return Run.ProcessAsync("/usr/sbin/runuser", args, timeout: timeout ?? TimeSpan.FromSeconds(120), cwd: "/");
    }

    private async Task<string> UserDirAsync(string name)
    {
        var path = _root[name];
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await GiveToUserAsync(path);
        return path;
    }

    private async Task GiveToUserAsync(string path)
    {
        var chown = await Run.ProcessAsync("/usr/bin/chown", [$"{_uid}:{_uid}", path]);
        Assert.True(chown.ExitCode == 0, chown.ToString());
    }

    private static async Task<int> OwnerAsync(string path) =>
        int.Parse((await Run.ProcessAsync("/usr/bin/stat", ["-c", "%u", path])).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Ai_says_in_one_line_that_rootless_on_cgroup_v1_cannot_boot_and_starts_nothing()
    {
        var aiDir = Path.Combine(await UserDirAsync("launch"), "ai");
        var result = await AsUserAsync([RepoPaths.Binary("ai")], new Dictionary<string, string> { ["AI_DIR"] = aiDir });
        Assert.True(result.ExitCode == 3, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("at=fatal msg=\"the sandbox needs cgroup v2 or rootful podman", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(aiDir));
        var ps = await AsUserAsync(["podman", "ps", "--all", "--format", "{{.Names}}"]);
        Assert.DoesNotContain("ai-", ps.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_refresh_container_run_by_the_user_keeps_the_settings_copy_the_users_own_0600()
    {
        await using var oauth = OAuthTestServer.Start();
        var aiDir = await UserDirAsync("ai");
        var settings = await UserDirAsync(Path.Combine("ai", "settings"));
        var file = Path.Combine(settings, ".credentials.work.json");
        var issued = oauth.IssueCredentials("work");
        issued.WriteTo(file, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());
        await GiveToUserAsync(file);

        var result = await AsUserAsync([RepoPaths.Binary("ai"), "token-refresh"], new Dictionary<string, string>
        {
            ["AI_DIR"] = aiDir,
            ["AI_IMAGE"] = Image,
            // Host networking reaches the test's loopback OAuth server; the URL is passed by name.
            ["AI_PODMAN_EXTRA_ARGS"] = "--network=host --env CLAUDE_OAUTH_TOKEN_URL",
            ["CLAUDE_OAUTH_TOKEN_URL"] = oauth.TokenUrl,
        });
        Assert.True(result.ExitCode == 0, result.ToString());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (AccessToken(file) == issued.AccessToken && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200);
        }

        var logs = await AsUserAsync(["podman", "logs", "token-refresh"]);
        var token = AccessToken(file);
        Assert.True(token != issued.AccessToken, "not refreshed; podman logs:\n" + logs);
        Assert.True(oauth.IsAccessTokenValid(token));
        Assert.Equal(_uid, await OwnerAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(0, oauth.Stats.InvalidGrants);
        oauth.AssertNoSecrets((logs.Stdout + logs.Stderr + result.Stdout + result.Stderr).Split('\n'), "token-refresh output");

        var stop = await AsUserAsync(["podman", "stop", "--time", "30", "token-refresh"]);
        Assert.True(stop.ExitCode == 0, stop.ToString());
    }

    private static string AccessToken(string file) =>
        JsonNode.Parse(File.ReadAllText(file))!["claudeAiOauth"]!["accessToken"]!.GetValue<string>();
}
