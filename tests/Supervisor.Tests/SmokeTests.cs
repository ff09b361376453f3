using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests;

public sealed class SmokeTests
{
    [Fact]
    public Task Help_exits_zero() => Smoke.HelpExitsZeroWithUsageAsync("ai-supervisor");

    [Fact]
    public Task Unknown_flag_is_named() => Smoke.UnknownFlagIsNamedAsync("ai-supervisor", 2);
}
