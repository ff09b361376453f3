using System.Diagnostics;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The console as a user meets it: `podman run -it` in a real terminal (tmux), the shell on
/// /dev/console in /app with HOME=/workspace, the auto-launch of the requested agent on the console
/// only (a stub `c` stands in for the launcher here, mounted ahead of it on PATH), history, dotfiles,
/// and the container ending when the shell ends.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ConsoleShellTests(TestImage image)
{
    private const string StubAgent = """
        #!/bin/bash
        f=/share/launch.$$
        { echo "args=$*"; echo "tty=$(tty)"; echo "pwd=$PWD"; echo "home=$HOME"
          env | grep -E '^(CLAUDE_PROFILE|CLAUDE_RESUME|CODEX_[A-Z_]*|AI_AUTO_LAUNCH)=' || true; } >"$f"
        echo STUB-AGENT-RAN
        """;

    [Fact]
    public async Task The_console_shell_auto_launches_once_keeps_history_links_dotfiles_and_exit_stops_the_container()
    {
        using var scratch = new TempDir("aisandbox-e2e-console-");
        var stub = scratch["c"];
        await File.WriteAllTextAsync(stub, StubAgent);
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var dir in new[] { "share", "commandhistory", "settings/dotfiles", "app" })
        {
            Directory.CreateDirectory(scratch[dir]);
        }

        await File.WriteAllTextAsync(scratch["settings/dotfiles/.tool-versions-test"], "x 1\n");
        await File.WriteAllTextAsync(scratch["settings/dotfiles/.bashrc"], "export FROM_DOTFILES=yes\n");

        var name = Podman.UniqueName("console");
        await using var cleanup = new ContainerCleanup(name);
        await using var terminal = await Tmux.StartAsync([Podman.Executable, "run", "--rm", "-it", "--name", name, "--hostname", "sandbox",
            "--pull=never", "--systemd=always", "--network=none",
            "--volume", $"{stub}:/workspace/.local/bin/c:ro",
            "--volume", $"{scratch["share"]}:/share", "--volume", $"{scratch["commandhistory"]}:/commandhistory",
            "--volume", $"{scratch["settings"]}:/settings", "--volume", $"{scratch["app"]}:/app",
            "--env", "CLAUDE_PROFILE=work", image.Name]);

        await GuardAsync(name, terminal, async () =>
        {
            await terminal.WaitForTextAsync("STUB-AGENT-RAN", TimeSpan.FromSeconds(90));
            await terminal.WaitForTextAsync("sandbox:/app", TimeSpan.FromSeconds(10));

            var launch = Assert.Single(Directory.GetFiles(scratch["share"], "launch.*"));
            var recorded = await File.ReadAllLinesAsync(launch);
            Assert.Contains("args=work", recorded);
            Assert.Contains("tty=/dev/console", recorded);
            Assert.Contains("pwd=/app", recorded);
            Assert.Contains("home=/workspace", recorded);
            Assert.DoesNotContain(recorded, l => l.StartsWith("CLAUDE_PROFILE=", StringComparison.Ordinal));

            await terminal.SendLineAsync("echo \"check bundle=$BUNDLE_PATH sandbox=$IS_SANDBOX profile=[${CLAUDE_PROFILE-}] dot=$FROM_DOTFILES home=$HOME\"");
            await terminal.WaitForTextAsync("check bundle=/bundle sandbox=1 profile=[] dot=yes home=/workspace", TimeSpan.FromSeconds(10));

            // A nested interactive shell on the same console, and a `podman exec` shell that still has
            // CLAUDE_PROFILE in its environment: neither launches again.
            await terminal.SendLineAsync("bash -i -c 'echo nested-done'");
            await terminal.WaitForTextAsync("nested-done", TimeSpan.FromSeconds(10));
            // (podman exec without a terminal: with -it under tmux, podman 4.3 sometimes left the exec
            // session hanging, and that held up the container's own exit afterwards.)
            var exec = await Podman.RunAsync(["exec", name, "bash", "-i", "-c", "echo exec-shell-done"], TimeSpan.FromSeconds(30));
            Assert.Contains("exec-shell-done", exec.Stdout, StringComparison.Ordinal);

            Assert.Single(Directory.GetFiles(scratch["share"], "launch.*"));

            var linked = new FileInfo(Path.Combine(scratch["settings/dotfiles"], ".tool-versions-test"));
            var inside = await Podman.CheckedAsync(["exec", name, "readlink", "/workspace/.tool-versions-test"]);
            Assert.Equal("/settings/dotfiles/.tool-versions-test", inside.Stdout.Trim());
            Assert.True(linked.Exists);

            // `history -a` after every command: the echo above is already on the host.
            var history = await File.ReadAllTextAsync(Path.Combine(scratch["commandhistory"], ".bash_history"));
            Assert.Contains("echo \"check bundle=", history, StringComparison.Ordinal);

            var clock = Stopwatch.StartNew();
            await terminal.SendLineAsync("exit");
            // The container's end is what counts. (podman 4.3's `run -it` client was seen, on a loaded
            // machine, to stay attached after its container had stopped and been removed.)
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                var state = await Podman.RunAsync(["inspect", "--format", "{{.State.Status}}", name]);
                if (state.ExitCode != 0 || state.Stdout.Trim() is "exited" or "stopped")
                {
                    break;
                }

                await Task.Delay(100);
            }

            var took = clock.Elapsed;
            Assert.True(took < TimeSpan.FromSeconds(30), $"the container took {took.TotalSeconds:F1}s to stop after exit");
        });
    }

    /// <summary>On failure: the terminal's screen and, while the container lives, its journal.</summary>
    internal static async Task GuardAsync(string container, Tmux terminal, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not SandboxFailure)
        {
            var journal = await Podman.RunAsync(["exec", container, "journalctl", "--no-pager", "-b", "-n", "300", "-o", "short-monotonic"]);
            throw new SandboxFailure(
                $"{e.Message}\n--- terminal ---\n{await terminal.CaptureAsync()}\n--- journal of {container} ---\n{journal.Stdout}{journal.Stderr}", e);
        }
    }
}

/// <summary>Removes a container a test started through a terminal, whatever state it ended in.</summary>
internal sealed class ContainerCleanup(string name) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() =>
        await Podman.RunAsync(["rm", "--force", "--ignore", "--time", "0", name], TimeSpan.FromSeconds(60));
}
