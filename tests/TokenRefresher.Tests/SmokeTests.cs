using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

public sealed class SmokeTests
{
    [Theory]
    [InlineData("refresh-tokens")]
    [InlineData("codex-login")]
    public Task Help_exits_zero(string command) => Smoke.HelpExitsZeroWithUsageAsync(command);

    [Theory]
    [InlineData("refresh-tokens")]
    [InlineData("codex-login")]
    public Task Unknown_flag_is_named(string command) => Smoke.UnknownFlagIsNamedAsync(command, 2);
}
