using System.Diagnostics;
using AiSandbox.TestSupport;
using Xunit.Sdk;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>How a test wants its detached sandbox container started.</summary>
internal sealed record SandboxOptions
{
    /// <summary>podman's --network; null keeps podman's default (a bridge with its own namespace).</summary>
    public string? Network { get; init; }

    public IReadOnlyList<string> Volumes { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>podman --publish values; tests bind them to 127.0.0.1 only.</summary>
    public IReadOnlyList<string> Publish { get; init; } = [];

    /// <summary>What PID 1 runs; null keeps the image's CMD (/sbin/init).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
}

/// <summary>
/// One container of the test image, started detached with a name no other run uses, always removed on
/// dispose. <see cref="GuardAsync"/> turns any failure into one that carries the container's journal.
/// </summary>
internal sealed class Sandbox : IAsyncDisposable
{
    private Sandbox(string name) => Name = name;

    public string Name { get; }

    public static async Task<Sandbox> StartAsync(TestImage image, SandboxOptions? options = null, string purpose = "box")
    {
        options ??= new SandboxOptions();
        var name = Podman.UniqueName(purpose);
        var args = new List<string> { "run", "--detach", "--name", name, "--hostname", "sandbox", "--pull=never", "--systemd=always" };
        if (options.Network is not null)
        {
            args.Add("--network=" + options.Network);
        }

        foreach (var volume in options.Volumes)
        {
            args.AddRange(["--volume", volume]);
        }

        foreach (var (key, value) in options.Environment)
        {
            args.AddRange(["--env", $"{key}={value}"]);
        }

        foreach (var publish in options.Publish)
        {
            args.AddRange(["--publish", publish]);
        }

        args.AddRange(options.ExtraArgs);
        args.Add(image.Name);
        if (options.Command is not null)
        {
            args.AddRange(options.Command);
        }

        var sandbox = new Sandbox(name);
        var result = await Podman.RunAsync(args);
        if (result.ExitCode != 0)
        {
            await sandbox.DisposeAsync();
            throw new InvalidOperationException($"podman run failed: {result}");
        }

        return sandbox;
    }

    /// <summary>A container someone else started (bin/ai); disposing still removes it.</summary>
    public static Sandbox Attach(string name) => new(name);

    /// <summary>Waits for a container whose name contains <paramref name="fragment"/> to exist.</summary>
    public static async Task<Sandbox> WaitForAsync(string fragment, TimeSpan timeout, Func<Task<string>>? diagnostics = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = await Podman.RunAsync(["ps", "--all", "--format", "{{.Names}}", "--filter", "name=" + fragment]);
            var name = result.StdoutLines.FirstOrDefault(n => n.Contains(fragment, StringComparison.Ordinal));
            if (name is not null)
            {
                return new Sandbox(name);
            }

            if (clock.Elapsed > timeout)
            {
                var more = diagnostics is null ? string.Empty : "\n" + await diagnostics();
                throw new XunitException($"no container named *{fragment}* appeared within {timeout.TotalSeconds}s{more}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls a shell command inside until its output satisfies <paramref name="done"/>.</summary>
    public async Task<string> WaitForOutputAsync(string script, Func<string, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < timeout)
        {
            var result = await ExecAsync(["bash", "-c", script], TimeSpan.FromSeconds(30));
            last = result.Stdout + result.Stderr;
            if (done(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new XunitException($"{what}: not seen within {timeout.TotalSeconds}s; last output of `{script}`:\n{last}");
    }

    public Task<ProcessResult> ExecAsync(params string[] command) => ExecAsync(command, null);

    public Task<ProcessResult> ExecAsync(IEnumerable<string> command, TimeSpan? timeout, string? stdin = null)
    {
        var args = new List<string> { "exec" };
        if (stdin is not null)
        {
            args.Add("--interactive");
        }

        args.Add(Name);
        args.AddRange(command);
        return Podman.RunAsync(args, timeout, stdin);
    }

    /// <summary>Runs a bash command line inside; fails with its output when it exits non-zero.</summary>
    public async Task<string> ShAsync(string script, TimeSpan? timeout = null)
    {
        var result = await ExecAsync(["bash", "-c", script], timeout);
        if (result.ExitCode != 0)
        {
            throw new XunitException($"inside {Name}: `{script}` failed: {result}");
        }

        return result.Stdout;
    }

    /// <summary>
    /// Waits for systemd to finish booting: `running`, or `degraded` with the failed units named. The
    /// state and the boot time (as podman run → settled, measured from the caller) go back to the test.
    /// </summary>
    public async Task<string> WaitForBootAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // `--wait` needs the system bus; exec can land before PID 1 has even started it.
            var result = await ExecAsync(["systemctl", "is-system-running", "--wait"], limit);
            var state = result.Stdout.Trim();
            if (state is "running" or "degraded" or "maintenance" or "stopping")
            {
                return state;
            }

            if (clock.Elapsed > limit)
            {
                throw new XunitException($"{Name} did not finish booting within {limit.TotalSeconds}s: {result}");
            }

            await Task.Delay(100);
        }
    }

    public async Task AssertRunningAsync()
    {
        var state = await WaitForBootAsync();
        if (state != "running")
        {
            var failed = await ExecAsync("systemctl", "list-units", "--failed", "--no-legend", "--plain");
            throw new XunitException($"systemd in {Name} is {state}, not running; failed units:\n{failed.Stdout}");
        }
    }

    public async Task<string> JournalAsync()
    {
        var journal = await ExecAsync(["journalctl", "--no-pager", "-b", "-o", "short-monotonic", "-n", "400"], TimeSpan.FromSeconds(20));
        if (journal.ExitCode == 0)
        {
            return journal.Stdout;
        }

        var logs = await Podman.RunAsync(["logs", "--tail", "200", Name]);
        return $"(no journal: {journal.Stderr.Trim()})\n--- podman logs ---\n{logs.Stdout}{logs.Stderr}";
    }

    /// <summary>Runs the test body; on failure, the exception carries the container's journal.</summary>
    public async Task GuardAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not SandboxFailure)
        {
            string journal;
            try
            {
                journal = await JournalAsync();
            }
            catch (Exception j) when (j is InvalidOperationException or TimeoutException)
            {
                journal = "(journal unavailable: " + j.Message + ")";
            }

            throw new SandboxFailure($"{e.Message}\n--- journal of {Name} ---\n{journal}", e);
        }
    }

    /// <summary>`podman stop` with a generous timeout; returns how long the container took to go.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        var clock = Stopwatch.StartNew();
        await Podman.CheckedAsync(["stop", "--time", "30", Name], TimeSpan.FromSeconds(45));
        return clock.Elapsed;
    }

    public async Task<string> StateAsync()
    {
        var result = await Podman.RunAsync(["inspect", "--format", "{{.State.Status}}", Name]);
        return result.ExitCode == 0 ? result.Stdout.Trim() : "gone";
    }

    public async ValueTask DisposeAsync()
    {
        // podman 4.3 sometimes reports "container state improper" for a container that is exiting by
        // itself; the exit code is advisory, the check below is not.
        await Podman.RunAsync(["rm", "--force", "--ignore", "--time", "0", Name], TimeSpan.FromSeconds(60));
        var left = await Podman.RunAsync(["container", "exists", Name]);
        if (left.ExitCode == 0)
        {
            await Podman.RunAsync(["rm", "--force", "--ignore", "--time", "0", Name], TimeSpan.FromSeconds(60));
        }
    }
}

/// <summary>A sandbox test failure with the container's journal attached.</summary>
internal sealed class SandboxFailure(string message, Exception inner) : XunitException(message, inner);
