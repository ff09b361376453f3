using System.Diagnostics;
using System.Text;
using AiSandbox.TestSupport;
using Xunit.Sdk;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// A real terminal for commands that need one (podman run -it, bin/ai, the console shell): a private
/// tmux server per instance, driven with send-keys and read with capture-pane. The pane stays after its
/// command exits so the test can read the last screen and the exit status.
/// </summary>
internal sealed class Tmux : IAsyncDisposable
{
    private readonly string _socket = "aisandbox-e2e-" + Guid.NewGuid().ToString("N")[..12];
    private readonly TempDir _dir = new("aisandbox-tmux-");
    private readonly IReadOnlyDictionary<string, string?> _env;

    private Tmux(IReadOnlyDictionary<string, string?> env) => _env = env;

    /// <summary>Starts <paramref name="command"/> in an 200×50 terminal with the given environment and directory.</summary>
    public static async Task<Tmux> StartAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? env = null, string? cwd = null)
    {
        var merged = new Dictionary<string, string?>(Podman.Environment) { ["TERM"] = "xterm-256color" };
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                merged[k] = v;
            }
        }

        var tmux = new Tmux(merged);
        var conf = tmux._dir["tmux.conf"];
        await File.WriteAllTextAsync(conf, "set -g remain-on-exit on\nset -g history-limit 5000\nset -g default-terminal xterm-256color\n");
        var line = "exec " + string.Join(' ', command.Select(Quote));
        // pipe-pane in the same tmux command as new-session: the server runs both before it reads anything the
        // command writes, so the record starts with its first byte.
        var result = await tmux.RunAsync(["-f", conf, "new-session", "-d", "-s", "main", "-x", "200", "-y", "50",
            "-c", cwd ?? Environment.CurrentDirectory, line, ";", "pipe-pane", "-t", "main", "-o", "cat >> " + Quote(tmux.RawPath)]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux new-session failed: {result}");
        }

        return tmux;
    }

    public async Task SendLineAsync(string text)
    {
        await RunCheckedAsync(["send-keys", "-t", "main", "-l", text]);
        await RunCheckedAsync(["send-keys", "-t", "main", "Enter"]);
    }

    public Task SendKeysAsync(params string[] keys) => RunCheckedAsync(["send-keys", "-t", "main", .. keys]);

    /// <summary>The screen plus scroll-back, as plain text.</summary>
    public async Task<string> CaptureAsync()
    {
        var result = await RunAsync(["capture-pane", "-p", "-J", "-t", "main", "-S", "-5000"]);
        return result.ExitCode == 0 ? result.Stdout : string.Empty;
    }

    /// <summary>Everything the command wrote to the terminal so far, escape sequences included: also what a later
    /// redraw or clear took off the screen before a capture could see it.</summary>
    public string Raw() => File.Exists(RawPath) ? Encoding.UTF8.GetString(File.ReadAllBytes(RawPath)) : string.Empty;

    private string RawPath => _dir["raw"];

    /// <summary>The visible screen only, without scroll-back: what a redrawn status line says now.</summary>
    public async Task<string> ScreenAsync()
    {
        var result = await RunAsync(["capture-pane", "-p", "-J", "-t", "main"]);
        return result.ExitCode == 0 ? result.Stdout : string.Empty;
    }

    /// <summary>Null while the command runs; its exit status once it ended (128 + the signal when one ended it).</summary>
    public async Task<int?> ExitStatusAsync()
    {
        var state = await PaneStateAsync();
        if (state is ["1", "", ""])
        {
            // The terminal is closed but tmux has no exit status: with libutempter, tmux swaps in utempter's own
            // SIGCHLD handler while it removes the pane's utmp record on that close, and a command that exits
            // within that window is never reaped (tmux/tmux#311). Another SIGCHLD makes tmux reap it.
            var server = await RunAsync(["display-message", "-p", "#{pid}"]);
            if (int.TryParse(server.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                _ = await Run.ProcessAsync("/bin/kill", ["-CHLD", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            state = await PaneStateAsync();
        }

        return state switch
        {
            ["1", var status, _] when int.TryParse(status, out var code) => code,
            ["1", _, var signal] when int.TryParse(signal, out var number) => 128 + number,
            _ => null,
        };
    }

    private async Task<string[]> PaneStateAsync()
    {
        var result = await RunAsync(["display-message", "-p", "-t", "main", "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}"]);
        return result.ExitCode == 0 ? result.Stdout.Trim().Split('|') : [];
    }

    public async Task<string> WaitForTextAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var screen = await CaptureAsync();
            if (screen.Contains(text, StringComparison.Ordinal))
            {
                return screen;
            }

            if (clock.Elapsed > timeout)
            {
                throw new XunitException($"terminal did not show \"{text}\" within {timeout.TotalSeconds}s; screen:\n{screen}");
            }

            await Task.Delay(150);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await ExitStatusAsync() is { } code)
            {
                return code;
            }

            if (clock.Elapsed > timeout)
            {
                throw new XunitException($"terminal command still running after {timeout.TotalSeconds}s; screen:\n{await CaptureAsync()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The pid of the pane's command (after its <c>exec</c>s: bin/ai execs the ai binary).</summary>
    public async Task<int> PanePidAsync()
    {
        var result = await RunAsync(["display-message", "-p", "-t", "main", "#{pane_pid}"]);
        return int.Parse(result.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Closes the terminal as a window manager would: the pane's processes get SIGHUP.</summary>
    public Task CloseAsync() => RunAsync(["kill-server"]);

    public async ValueTask DisposeAsync()
    {
        await RunAsync(["kill-server"]);
        _dir.Dispose();
    }

    private Task<ProcessResult> RunAsync(IEnumerable<string> args) =>
        Run.ProcessAsync("tmux", ["-L", _socket, .. args], _env, timeout: TimeSpan.FromSeconds(20));

    private async Task RunCheckedAsync(IEnumerable<string> args)
    {
        var list = args.ToList();
        var result = await RunAsync(list);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', list)} failed: {result}");
        }
    }

    private static string Quote(string arg)
    {
        var sb = new StringBuilder("'");
        sb.Append(arg.Replace("'", "'\\''", StringComparison.Ordinal));
        return sb.Append('\'').ToString();
    }
}
