using System.Diagnostics;
using System.Text;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// Follows a container's journal from the outside (`podman exec … journalctl -f`), so a failure can still
/// show what happened when the container is already gone: shutdown is exactly when a console test fails.
/// </summary>
internal sealed class JournalFollower : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _text = new();
    private readonly Task _pump;

    private JournalFollower(Process process)
    {
        _process = process;
        _pump = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
            {
                lock (_text)
                {
                    _text.AppendLine(line);
                }
            }
        });
    }

    /// <summary>Starts following; retries while systemd inside has not started journald yet.</summary>
    public static async Task<JournalFollower> StartAsync(string container)
    {
        for (var attempt = 0; ; attempt++)
        {
            var ready = await Podman.RunAsync(["exec", container, "test", "-S", "/run/systemd/journal/stdout"]);
            if (ready.ExitCode == 0 || attempt >= 100)
            {
                break;
            }

            await Task.Delay(100);
        }

        var psi = Run.Start(Podman.Executable,
            ["exec", container, "journalctl", "-b", "-f", "--no-pager", "-o", "short-monotonic", "-n", "all"], Podman.Environment);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start podman exec journalctl");
        process.StandardInput.Close();
        return new JournalFollower(process);
    }

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _pump;
        _process.Dispose();
    }
}
