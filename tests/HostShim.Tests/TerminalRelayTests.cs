using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// The published <c>ai</c> on a terminal, with podman reporting local cgroup v1: podman runs on a pty of its
/// own behind the relay, which drops systemd's early cgroup lines and passes everything else both ways.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class TerminalRelayTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private const string CgroupV1 =
        """{"host":{"security":{"rootless":false},"serviceIsRemote":false,"cgroupVersion":"v1"},"version":{"Version":"4.3.1"}}""";

    private readonly Sandbox _s;

    public TerminalRelayTests(FakePodmanBinary podman)
    {
        _s = new Sandbox(podman);
        _s.Env["FAKE_PODMAN_INFO"] = CgroupV1;
        _s.Env["FAKE_PODMAN_BOOT_NOISE"] = "1";
        _s.Env["FAKE_PODMAN_ECHO"] = "1";
        _s.Env["FAKE_PODMAN_EXIT"] = "7";
    }

    public void Dispose() => _s.Dispose();

    /// <summary>
    /// ai on a terminal of 33 rows; <paramref name="typed"/> once podman's console is up; then ai's exit code and the
    /// terminal's settings once it is back. Returns everything the terminal showed.
    /// </summary>
    private async Task<string> RunAsync(string typed)
    {
        await using var ai = Interactive.OnTerminal("/bin/sh",
            ["-c", "stty rows 33 cols 101; \"$0\"; echo \"exit=$?\"; stty -a", RepoPaths.Binary("ai")], _s.Env, _s.Project);
        await ai.WaitForAsync("console: ", Bound);
        await ai.TypeLineAsync(typed);
        await ai.WaitForAsync("exit=", Bound);
        await ai.ExitAsync(Bound);
        return ai.Seen;
    }

    [Fact]
    public async Task The_console_shows_the_sandbox_without_systemds_early_cgroup_lines()
    {
        var seen = await RunAsync("hello sandbox");
        Assert.DoesNotContain("cgroup/cpuacct", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", seen, StringComparison.Ordinal);
        // The same line later on is the sandbox's own output: it passes.
        Assert.Single(seen.Split('\n'), l => l.Contains("Failed to create symlink /sys/fs/cgroup/cpu: File exists", StringComparison.Ordinal));
        // podman has a terminal of its own, as on the user's: session leader, controlling terminal, the user's size.
        Assert.Contains("console: tty=1 leader=1 ctty=1 rows=33", seen, StringComparison.Ordinal);
        Assert.Contains("echo:hello sandbox", seen, StringComparison.Ordinal);
        Assert.Contains("fake podman stderr", seen, StringComparison.Ordinal);
        Assert.Contains("exit=7", seen, StringComparison.Ordinal);
        // The user's terminal is back in the mode it had: lines, echo, signals.
        var settings = seen[seen.IndexOf("exit=", StringComparison.Ordinal)..].Split([' ', '\r', '\n', ';'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var flag in new[] { "icanon", "echo", "isig", "opost", "icrnl" })
        {
            Assert.Contains(flag, settings);
        }
    }

    [Fact]
    public async Task AI_QUIET_CONSOLE_0_leaves_podman_on_the_users_terminal()
    {
        _s.Env["AI_QUIET_CONSOLE"] = "0";
        var seen = await RunAsync("hello");

        Assert.Contains("Failed to create symlink /sys/fs/cgroup/cpuacct: File exists", seen, StringComparison.Ordinal);
        Assert.Contains("echo:hello", seen, StringComparison.Ordinal);
        Assert.Contains("exit=7", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_cgroup_v2_podman_stays_on_the_users_terminal()
    {
        _s.Env["FAKE_PODMAN_INFO"] = CgroupV1.Replace("v1", "v2", StringComparison.Ordinal);
        var seen = await RunAsync("hello");

        // Without the relay podman shares ai's session: not a session leader of its own.
        Assert.Contains("console: tty=1 leader=0 ctty=1 rows=33", seen, StringComparison.Ordinal);
        Assert.Contains("cgroup/cpuacct", seen, StringComparison.Ordinal);
    }
}
