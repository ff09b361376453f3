using System.Diagnostics;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

public sealed class ExitCommandTests
{
    [Fact]
    public async Task X_hangs_up_the_shell_that_runs_it()
    {
        // Without x the shell would print "survived".
        using var process = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", $"{RepoPaths.Binary("x")}; sleep 0.5; echo survived"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.DoesNotContain("survived", output);
        Assert.Equal(128 + 1, process.ExitCode);
    }
}
