using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

public sealed class SmokeTests
{
    [Fact]
    public Task Help_exits_zero() => Smoke.HelpExitsZeroWithUsageAsync("ai");

    // The baseline's bin/ai exits 1 on every fatal, unknown options included.
    [Fact]
    public Task Unknown_flag_is_named() => Smoke.UnknownFlagIsNamedAsync("ai", 1);
}
