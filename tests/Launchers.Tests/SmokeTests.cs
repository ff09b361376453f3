using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

public sealed class SmokeTests
{
    public static TheoryData<string> Commands => ["ai-launcher", "c", "cx", "g", "x", "s", "claude-login", "l", "claude-hook"];

    [Theory]
    [MemberData(nameof(Commands))]
    public Task Help_exits_zero(string command) => Smoke.HelpExitsZeroWithUsageAsync(command);

    [Theory]
    [MemberData(nameof(Commands))]
    public Task Unknown_flag_is_named(string command) =>
        Smoke.UnknownFlagIsNamedAsync(command, 2, command == "ai-launcher" ? ["c"] : []);
}
