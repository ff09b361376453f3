using System.Diagnostics;
using System.Text.Json;
using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Exec;

namespace AiSandbox.Launchers.Claude;

/// <summary>
/// Claude's UserPromptSubmit hook. The prompt <c>x</c> ends Claude (SIGINT shortly after the hook returns,
/// so Claude has taken the "blocked" answer first); <c>l</c> runs claude-login. Both are blocked (exit 2) so
/// they never reach the model; anything else passes (exit 0).
/// </summary>
internal static class ClaudeHookCommand
{
    public static CliCommand Line { get; } = new(
        "claude-hook < hook-input.json",
        """
        Claude Code UserPromptSubmit hook. Reads the hook JSON on stdin and looks at .prompt:
          x   stop Claude (SIGINT to the claude process running this hook) and block the prompt
          l   run claude-login for the session's profile (output on stderr) and block the prompt
        Anything else passes unchanged.
        """,
        [],
        [],
        "Exit codes: 0 prompt passes, 2 prompt blocked (handled here), 1 unreadable input.");

    public const int Blocked = 2;

    public static async Task<int> RunAsync(LauncherHost host)
    {
        if (Line.ParseOrAnswer(host.Context.Args, host.Stdout, host.Stderr, out var exit) is null)
        {
            return exit;
        }

        string? prompt;
        try
        {
            using var doc = JsonDocument.Parse(await host.Context.Stdin.ReadToEndAsync(host.Context.Cancellation).ConfigureAwait(false));
            prompt = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()?.Trim()
                : null;
        }
        catch (JsonException)
        {
            return host.Fail("hook input is not JSON");
        }

        switch (prompt)
        {
            case "x":
                InterruptClaude(host);
                host.Stderr.WriteLine("Exiting...");
                return Blocked;
            case "l":
                var login = host with { Context = host.Context with { Name = "claude-login", Args = [], Stdout = host.Stderr } };
                await ClaudeLoginCommand.RunAsync(login).ConfigureAwait(false);
                return Blocked;
            default:
                return ExitCodes.Ok;
        }
    }

    /// <summary>The claude that runs this hook (nearest ancestor named claude or claude.exe), else every such process.</summary>
    internal static IReadOnlyList<int> ClaudePids(int start)
    {
        for (var pid = start; pid > 1;)
        {
            if (IsClaude(Comm(pid)))
            {
                return [pid];
            }

            pid = ParentOf(pid);
        }

        var all = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && IsClaude(Comm(pid)))
            {
                all.Add(pid);
            }
        }

        return all;
    }

    private static void InterruptClaude(LauncherHost host)
    {
        var pids = ClaudePids(Native.GetParentPid());
        if (pids.Count == 0)
        {
            host.Log.Warn("no claude process to stop");
            return;
        }

        // A detached sleeper sends the signal after the hook has answered; the hook itself must return now.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("sleep 0.1; kill -INT " + string.Join(' ', pids));
        using var _ = Process.Start(psi);
    }

    /// <summary>
    /// Claude Code runs as a node script named claude, or, since its npm package ships a native build, as
    /// <c>bin/claude.exe</c>, whose process name is the file's: a hook that looked for "claude" alone found
    /// nothing to stop, and <c>x</c> left the agent running.
    /// </summary>
    private static bool IsClaude(string? comm) => comm is "claude" or "claude.exe";

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
