using System.Diagnostics;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>
/// `ai kube` as printed, played by `podman kube play`: the sandbox Pod boots systemd, its supervisor on its
/// own bus says ready, the standalone refresher Pod runs on the same settings directory, and `podman kube
/// down` ends both.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class KubeTests(TestImage image) : IDisposable
{
    private readonly TempDir _root = new("aisandbox-e2e-kube-");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Podman_kube_play_of_the_manifest_boots_the_sandbox_to_a_ready_supervisor_beside_the_refresher()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var project = _root["p/kube" + run];
        Directory.CreateDirectory(project);
        Directory.CreateDirectory(_root["home"]);
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = _root["home"],
            ["AI_DIR"] = _root["ai"],
            ["AI_IMAGE"] = image.Name,
        };
        var printed = await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "bin", "ai"), ["kube"], env, cwd: project);
        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.Equal("", printed.Stderr);
        // The refresher Pod's name is one per host; this run's must not meet a user's or another run's.
        var refresher = "ai-token-refresh-" + run;
        var manifest = _root["pod.yaml"];
        await File.WriteAllTextAsync(manifest, printed.Stdout.Replace("name: \"ai-token-refresh\"", $"name: \"{refresher}\"", StringComparison.Ordinal));

        var sandbox = $"ai-kube{run}-sandbox";
        var played = false;
        try
        {
            await Podman.CheckedAsync(["kube", "play", manifest], TimeSpan.FromSeconds(180));
            played = true;
            var box = Sandbox.Attach(sandbox);
            await box.GuardAsync(async () =>
            {
                Assert.Equal("systemd", (await box.ShAsync("cat /proc/1/comm")).Trim());
                var clock = Stopwatch.StartNew();
                string state;
                do
                {
                    var answer = await box.ExecAsync(["busctl", "--json=short", "get-property", "org.aisandbox.Supervisor1", "/org/aisandbox/Supervisor1",
                        "org.aisandbox.Supervisor1", "State"], TimeSpan.FromSeconds(30));
                    state = answer.ExitCode == 0 ? answer.Stdout.Trim() : answer.Stderr.Trim();
                    if (state.Contains("\"ready\"", StringComparison.Ordinal) || state.Contains("\"degraded\"", StringComparison.Ordinal))
                    {
                        break;
                    }

                    await Task.Delay(250);
                }
                while (clock.Elapsed < TimeSpan.FromSeconds(240));

                Assert.Equal("{\"type\":\"s\",\"data\":\"ready\"}", state);
                Assert.Equal("/settings", (await box.ShAsync("findmnt -n -o TARGET /settings")).Trim());
                Assert.Contains("REFRESH_BEFORE=600", await box.ShAsync("tr '\\0' '\\n' </proc/1/environ"), StringComparison.Ordinal);
                var refresherState = await Podman.CheckedAsync(["inspect", "--format", "{{.State.Status}}", $"{refresher}-refresh-tokens"]);
                Assert.Equal("running", refresherState.Stdout.Trim());
            });
        }
        finally
        {
            var down = await Podman.RunAsync(["kube", "down", manifest], TimeSpan.FromSeconds(120));
            foreach (var pod in new[] { $"ai-kube{run}", refresher })
            {
                await Podman.RunAsync(["pod", "rm", "--force", "--ignore", pod], TimeSpan.FromSeconds(120));
            }

            // After a failed play there is nothing to take down; that failure is the one to report.
            Assert.True(!played || down.ExitCode == 0, "podman kube down: " + down);
        }

        Assert.NotEqual(0, (await Podman.RunAsync(["container", "exists", sandbox])).ExitCode);
    }
}
