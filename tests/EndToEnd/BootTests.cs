using System.Diagnostics;
using AiSandbox.EndToEnd.Infrastructure;

namespace AiSandbox.EndToEnd;

/// <summary>The container boots under podman with systemd as PID 1, settles, and stops at once.</summary>
[Collection(SandboxCollection.Name)]
public sealed class BootTests(TestImage image)
{
    [Fact]
    public async Task Systemd_is_pid_1_and_the_system_reaches_running()
    {
        var clock = Stopwatch.StartNew();
        await using var box = await Sandbox.StartAsync(image, purpose: "boot");
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            var booted = clock.Elapsed;

            Assert.Equal("systemd", (await box.ShAsync("cat /proc/1/comm")).Trim());
            Assert.Equal("/usr/lib/systemd/systemd", (await box.ShAsync("readlink -f /proc/1/exe")).Trim());
            Assert.Equal("podman", (await box.ShAsync("systemd-detect-virt --container")).Trim());

            // Each sandbox has its own machine ID (the container's UUID), not the one the build made.
            var uuid = (await box.ShAsync("tr '\\0' '\\n' </proc/1/environ | sed -n 's/^container_uuid=//p'")).Trim();
            Assert.Matches("^[0-9a-f]{32}$", uuid);
            Assert.Equal(uuid, (await box.ShAsync("cat /etc/machine-id")).Trim());
            Assert.Equal(uuid, (await box.ShAsync("dbus-uuidgen --get")).Trim());
            Assert.True(booted < TimeSpan.FromSeconds(60), $"boot took {booted}");
        });
    }

    [Fact]
    public async Task The_console_belongs_to_the_shell_no_getty_and_a_quiet_manager()
    {
        await using var box = await Sandbox.StartAsync(image, purpose: "units");
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            var enabled = await box.ShAsync(
                "for u in getty.target console-getty.service shell.service; do printf '%s=%s\\n' $u $(systemctl is-enabled $u); done");
            Assert.Contains("getty.target=masked", enabled, StringComparison.Ordinal);
            Assert.Contains("console-getty.service=masked", enabled, StringComparison.Ordinal);
            Assert.Contains("shell.service=enabled", enabled, StringComparison.Ordinal);

            var manager = await box.ShAsync("systemctl show --property=ShowStatus --property=LogLevel --property=DefaultTimeoutStopUSec");
            Assert.Contains("ShowStatus=no", manager, StringComparison.Ordinal);
            Assert.Contains("LogLevel=warning", manager, StringComparison.Ordinal);

            // The image's stop signal is what systemd treats as "halt": podman stop needs no SIGKILL.
            var stopSignal = await Podman.CheckedAsync(["inspect", "--format", "{{.Config.StopSignal}}", box.Name]);
            Assert.Contains(stopSignal.Stdout.Trim(), new[] { "SIGRTMIN+3", "37" });
        });
    }

    [Fact]
    public async Task Podman_stop_ends_the_container_within_5_seconds()
    {
        await using var box = await Sandbox.StartAsync(image, purpose: "stop");
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            var took = await box.StopAsync();
            Assert.Equal("exited", await box.StateAsync());
            Assert.True(took < TimeSpan.FromSeconds(30), $"podman stop took {took.TotalSeconds:F1}s");
        });
    }
}
