using Xunit;

namespace AiSandbox.TestSupport;

/// <summary>The checks every published command must pass: --help and an unknown flag.</summary>
public static class Smoke
{
    public static async Task HelpExitsZeroWithUsageAsync(string command, params string[] prefix)
    {
        var result = await Run.CommandAsync(command, [.. prefix, "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>One logfmt line that names the flag, and the documented exit code.</summary>
    public static async Task UnknownFlagIsNamedAsync(string command, int expectedExit, params string[] prefix)
    {
        var result = await Run.CommandAsync(command, [.. prefix, "--no-such-flag"]);
        Assert.True(result.ExitCode == expectedExit, result.ToString());
        var fatal = result.StderrLines.Where(l => l.StartsWith("at=fatal", StringComparison.Ordinal)).ToList();
        Assert.Single(fatal);
        Assert.Contains("--no-such-flag", fatal[0], StringComparison.Ordinal);
        Assert.Contains("msg=\"unknown option\"", fatal[0], StringComparison.Ordinal);
    }
}
