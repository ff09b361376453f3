using System.Text.Json.Nodes;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.OAuth;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The host's podman as a user has it: no CONTAINERS_CONF, only the options <c>ai</c> itself adds. The
/// sandbox boots systemd with them, and the container-side refresh (AI_HOST_REFRESH=container) refreshes
/// the settings copy through the image against the loopback OAuth server.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class HostPodmanTests(TestImage image) : IDisposable
{
    private readonly TempDir _root = new("aisandbox-e2e-hostpodman-");

    public void Dispose() => _root.Dispose();

    /// <summary>podman with the inherited environment minus the tests' containers.conf.</summary>
    private static Task<ProcessResult> UserPodmanAsync(IEnumerable<string> args, TimeSpan? timeout = null) =>
        Run.ProcessAsync(Podman.Executable, args, new Dictionary<string, string?> { ["CONTAINERS_CONF"] = null }, timeout: timeout);

    private Dictionary<string, string?> AiEnvironment()
    {
        Directory.CreateDirectory(_root["home"]);
        Directory.CreateDirectory(_root["project"]);
        return new Dictionary<string, string?>
        {
            ["HOME"] = _root["home"],
            ["AI_DIR"] = _root["ai"],
            ["AI_REPO"] = RepoPaths.Root,
            ["AI_IMAGE"] = image.Name,
            ["CONTAINERS_CONF"] = null,
            ["PATH"] = Environment.GetEnvironmentVariable("PATH"),
        };
    }

    [Fact]
    public async Task Without_the_test_conf_the_options_ai_adds_boot_systemd_with_podmans_own_defaults()
    {
        var dryRun = await Run.CommandAsync("ai", ["--dry-run"], AiEnvironment(), cwd: _root["project"]);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        var argv = dryRun.StdoutLines.Skip(1).ToList();
        var fit = new List<string>();
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            if (argv[i] is "--ulimit" or "--runtime")
            {
                fit.AddRange([argv[i], argv[i + 1]]);
            }
        }

        var name = Podman.UniqueName("userpodman");
        try
        {
            var run = await UserPodmanAsync(["run", "--detach", "--name", name, "--pull=never", .. fit, image.Name]);
            Assert.True(run.ExitCode == 0, $"podman run with {string.Join(' ', fit)}: {run}");
            // `--wait` needs the system bus, which exec can reach before PID 1 has started it.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ProcessResult state;
            do
            {
                state = await UserPodmanAsync(["exec", name, "systemctl", "is-system-running", "--wait"], TimeSpan.FromSeconds(90));
            }
            while (state.Stdout.Trim() is not ("running" or "degraded") && clock.Elapsed < TimeSpan.FromSeconds(90) && await Pause());

            Assert.True(state.Stdout.Trim() == "running", state.ToString());
            Assert.Equal("systemd", (await UserPodmanAsync(["exec", name, "cat", "/proc/1/comm"])).Stdout.Trim());
        }
        finally
        {
            await UserPodmanAsync(["rm", "--force", "--ignore", "--time", "0", name]);
        }
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(100);
        return true;
    }

    [Fact]
    public async Task The_console_shows_no_boot_warnings_and_the_journal_keeps_them()
    {
        await using var box = await Sandbox.StartAsync(image, new SandboxOptions { ExtraArgs = ["--tty"] }, "console");
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            var console = (await Podman.CheckedAsync(["logs", box.Name])).Stdout;
            Assert.DoesNotContain("BPF", console, StringComparison.Ordinal);
            Assert.DoesNotContain("ProtectHostname", console, StringComparison.Ordinal);
            // Printed by systemd before it reads any configuration, and only where the host mounts cpu and
            // cpuacct as two cgroup v1 hierarchies (systemd expects them joined): nothing in the image can
            // stop these two, so ai's terminal relay drops them (ReadmeFirstRunTests reads what reaches the
            // user). Anything else systemd says on the console fails the test.
            var separateCpuHierarchies = Directory.Exists("/sys/fs/cgroup/cpuacct") && new DirectoryInfo("/sys/fs/cgroup/cpuacct").LinkTarget is null;
            foreach (var line in console.Split('\n'))
            {
                if (line.Contains("Failed to create symlink /sys/fs/cgroup/cpu", StringComparison.Ordinal))
                {
                    Assert.True(separateCpuHierarchies, "on a host with joined cpu,cpuacct: " + line);
                }
                else
                {
                    Assert.DoesNotContain("Failed", line, StringComparison.Ordinal);
                }
            }
            var journal = await box.ShAsync("journalctl -b --no-pager");
            Assert.Contains("ProtectHostname=yes is configured", journal, StringComparison.Ordinal);
            Assert.Contains("LogLevel=warning", await box.ShAsync("systemctl show --property=LogLevel"), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AI_HOST_REFRESH_container_refreshes_the_settings_copy_through_the_image()
    {
        await using var oauth = OAuthTestServer.Start();
        var env = AiEnvironment();
        var settings = Path.Combine(_root["ai"], "settings");
        Directory.CreateDirectory(settings);
        var file = Path.Combine(settings, ".credentials.work.json");
        var issued = oauth.IssueCredentials("work");
        issued.WriteTo(file, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds());

        // The real podman for everything but the sandbox itself, which needs a terminal: its argv is kept.
        var bin = _root["bin"];
        var sandboxArgv = _root["sandbox-argv"];
        var calls = _root["podman-calls"];
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "podman"), $"""
            #!/bin/sh
            echo "$*" >> '{calls}'
            case " $* " in *" --tty "*) printf '%s\n' "$@" > '{sandboxArgv}'; exit 0 ;; esac
            exec '{Podman.Executable}' "$@"
            """);
        File.SetUnixFileMode(Path.Combine(bin, "podman"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        env["PATH"] = bin + ":" + env["PATH"];
        env["AI_HOST_REFRESH"] = "container";
        env["AI_PODMAN_EXTRA_ARGS"] = "--network=host";
        env["CLAUDE_OAUTH_TOKEN_URL"] = oauth.TokenUrl;

        var result = await Run.CommandAsync("ai", ["work"], env, cwd: _root["project"], timeout: TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(sandboxArgv), "the sandbox was not started: " + result);
        Assert.Contains(File.ReadAllLines(calls), c => c.StartsWith("run --rm --pull=never", StringComparison.Ordinal)
            && c.EndsWith($"--network=host {image.Name} /usr/local/bin/refresh-tokens --once", StringComparison.Ordinal));

        var oauthJson = JsonNode.Parse(File.ReadAllText(file))!["claudeAiOauth"]!;
        var token = oauthJson["accessToken"]!.GetValue<string>();
        Assert.NotEqual(issued.AccessToken, token);
        Assert.True(oauth.IsAccessTokenValid(token));
        Assert.Equal(1, oauth.Stats.Refreshed);
        Assert.Equal(0, oauth.Stats.InvalidGrants);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        oauth.AssertNoSecrets(result.StdoutLines.Concat(result.StderrLines), "ai output");
        oauth.AssertNoSecrets(File.ReadAllLines(sandboxArgv), "sandbox argv");
    }
}
