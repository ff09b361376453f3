using System.Globalization;
using System.Text.RegularExpressions;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>
/// `ai` ended from outside while the sandbox runs: SIGTERM (a session manager, `kill`) or a closed terminal
/// (SIGHUP). podman's signal proxy alone would hand either to the container's systemd, which re-executes on
/// SIGTERM and reloads on SIGHUP, and the container would run on with nobody attached; `ai` stops it.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed partial class SandboxSignalTests(TestImage image)
{
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(90);

    /// <summary>The run's --stop-timeout (60 s) after which podman kills, and the removal after it.</summary>
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"msg=""sandbox ready""|(?m)^\s*redis\s+(starting|ready)")]
    private static partial Regex ReadinessShown();

    [Theory]
    [InlineData("TERM")]
    [InlineData("terminal closed")]
    public async Task A_signal_to_ai_stops_the_container_and_removes_it(string how)
    {
        await using var user = await UserSandbox.StartAsync(image);
        await user.GuardAsync(async () =>
        {
            // Sent when a readiness line is on screen: the container is up, the agent not yet started. ai's own
            // "sandbox ready" can be redrawn over by the launcher's readiness display, so either one counts.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await user.Terminal.CaptureAsync() is var screen && !ReadinessShown().IsMatch(screen))
            {
                Assert.True(clock.Elapsed < Boot, "no readiness line on screen:\n" + screen);
                await Task.Delay(150);
            }

            if (how == "TERM")
            {
                var pid = await user.Terminal.PanePidAsync();
                var kill = await Run.ProcessAsync("/bin/kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
                Assert.True(kill.ExitCode == 0, kill.ToString());
                // ai's own "stopping the sandbox" line may be redrawn over by the launcher's readiness display
                // (PublishedBinaryTests checks it); what counts here is that ai returns and the container goes.
                await user.Terminal.WaitForExitAsync(StopBudget);
            }
            else
            {
                await user.Terminal.CloseAsync();
            }

            clock.Restart();
            while ((await Podman.RunAsync(["container", "exists", user.Box.Name])).ExitCode == 0)
            {
                Assert.True(clock.Elapsed < StopBudget,
                    $"the container is still {await user.Box.StateAsync()} {clock.Elapsed.TotalSeconds:F0}s after ai got {how}");
                await Task.Delay(200);
            }
        });
    }
}
