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

public sealed class SubcommandHelpTests
{
    [Theory]
    [InlineData("token-refresh")]
    [InlineData("ps")]
    [InlineData("stop")]
    [InlineData("kube")]
    [InlineData("exec")]
    [InlineData("setup-vm")]
    public Task Every_subcommand_answers_help(string subcommand) => Smoke.HelpExitsZeroWithUsageAsync("ai", subcommand);

    [Theory]
    [InlineData("token-refresh")]
    [InlineData("exec")]
    [InlineData("setup-vm")]
    public Task Every_subcommand_names_an_unknown_flag(string subcommand) => Smoke.UnknownFlagIsNamedAsync("ai", 1, subcommand);

    // Commands without a baseline follow the project's rule: 2 for a bad command line.
    [Theory]
    [InlineData("ps")]
    [InlineData("stop")]
    [InlineData("kube")]
    public Task New_subcommands_name_an_unknown_flag_with_exit_2(string subcommand) => Smoke.UnknownFlagIsNamedAsync("ai", 2, subcommand);
}
