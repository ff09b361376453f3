using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary><c>ai setup-vm</c>: the plan through <c>--dry-run</c> (no podman machine exists here), and its execution order against the fake.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class SetupVmTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task Dry_run_prints_the_default_plan_and_runs_nothing()
    {
        var result = await _s.InProcessAsync(["setup-vm", "--dry-run"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(_s.Calls);
        string[] expected =
        [
            "# podman machine podman-machine-default: disk 300 GB, memory 8192 MB",
            "# when the machine does not exist:",
            "podman machine init --disk-size 300 --memory 8192 --now podman-machine-default",
            "# when it is not running:",
            "podman machine start podman-machine-default",
            "# zram swap, half the RAM, zstd:",
            @"podman machine ssh podman-machine-default 'printf '\''[zram0]\nzram-size = ram / 2\ncompression-algorithm = zstd\n'\'' | sudo tee /etc/systemd/zram-generator.conf >/dev/null && sudo systemctl daemon-reload'",
            "# when /dev/zram0 is not active swap yet (restart instead of activating it live):",
            "podman machine stop podman-machine-default",
            "podman machine start podman-machine-default",
            "# keyring quotas (many containers exhaust the defaults):",
            @"podman machine ssh podman-machine-default 'printf '\''kernel.keys.maxkeys = 20000\nkernel.keys.maxbytes = 200000\n'\'' | sudo tee /etc/sysctl.d/90-keyring.conf >/dev/null && sudo sysctl -p /etc/sysctl.d/90-keyring.conf'",
            "# verification:",
            "podman machine ssh podman-machine-default 'swapon --show && sysctl kernel.keys.maxkeys kernel.keys.maxbytes'",
        ];
        Assert.Equal(expected, result.StdoutLines);
    }

    [Fact]
    public async Task VM_NAME_VM_DISK_and_VM_MEMORY_shape_the_plan()
    {
        _s.Env["VM_NAME"] = "big";
        _s.Env["VM_DISK"] = "500";
        _s.Env["VM_MEMORY"] = "16384";
        var result = await _s.InProcessAsync(["setup-vm", "--dry-run"]);
        Assert.Contains("podman machine init --disk-size 500 --memory 16384 --now big", result.StdoutLines);
        Assert.Contains("podman machine stop big", result.StdoutLines);
    }

    [Theory]
    [InlineData("VM_DISK", "0")]
    [InlineData("VM_DISK", "abc")]
    [InlineData("VM_MEMORY", "-5")]
    [InlineData("VM_NAME", "a b")]
    public async Task Bad_settings_are_fatal(string key, string value)
    {
        _s.Env[key] = value;
        var result = await _s.InProcessAsync(["setup-vm", "--dry-run"]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"at=fatal msg=\"invalid {key}", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus", "unknown option")]
    [InlineData("extra", "unexpected argument")]
    [InlineData("--gpu", "not supported")]
    public async Task Bad_arguments_are_fatal(string arg, string message)
    {
        var result = await _s.InProcessAsync(["setup-vm", arg]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.StderrLines[0], StringComparison.Ordinal);
        Assert.Empty(_s.Calls);
    }

    [Fact]
    public async Task A_stopped_machine_without_zram_is_started_configured_and_restarted()
    {
        // The fake's `machine inspect` succeeds with no state (not running) and `swapon` shows no zram.
        var result = await _s.InProcessAsync(["setup-vm"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var steps = _s.Calls.Select(c => string.Join(' ', c.Args.Take(2)) + (c.Args.Count > 3 && c.Args[1] == "ssh" ? " " + c.Args[3].Split(' ')[0] : "")).ToList();
        Assert.Equal(
            ["machine inspect", "machine start", "machine ssh printf", "machine ssh swapon", "machine stop", "machine start",
             "machine ssh printf", "machine ssh swapon"],
            steps);
        Assert.Contains("podman machine ready", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_step_stops_with_its_name()
    {
        _s.Env["FAKE_PODMAN_EXIT"] = "7";
        var result = await _s.InProcessAsync(["setup-vm"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at=fatal msg=\"setup-vm step failed\" step=init exit=7", result.Stderr, StringComparison.Ordinal);
    }
}
