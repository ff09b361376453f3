using AiSandbox.Common.Cli;
using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests;

/// <summary>
/// One profile-name rule for every command: a name one command accepts, no other refuses, and every
/// command answers an unusable name with one fatal line and exit 2 (the published binaries, as users run them).
/// </summary>
public sealed class ProfileNameTests
{
    private const string Max = "x123456789012345678901234567890123456789012345678901234567890123"; // 64

    [Theory]
    [InlineData("work", true)]
    [InlineData("a.b-c_D9", true)]
    [InlineData("9", true)]
    [InlineData(Max, true)]
    [InlineData(Max + "4", false)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData(".hidden", false)]
    [InlineData("_work", false)]
    [InlineData("-work", false)]
    [InlineData("a..b", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("ä", false)]
    public void The_rule(string name, bool valid) => Assert.Equal(valid, ProfileName.IsValid(name));

    public static TheoryData<string, string[]> Commands => new()
    {
        { "refresh-tokens", ["--find-active", "{}"] },
        { "refresh-tokens", ["--list-active", "{}"] },
        { "codex-login", ["{}", "--status"] },
        { "claude-login", ["{}"] },
        { "c", ["{}"] },
        { "cx", ["{}"] },
        { "g", ["{}"] },
        { "ai", ["{}", "--dry-run"] },
        { "ai", ["cx", "{}", "--dry-run"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_refuses_the_same_names_with_one_fatal_line_and_exit_2(string command, string[] args)
    {
        using var temp = new TempDir("profile-names-");
        foreach (var name in new[] { "_work", "a..b", ".hidden", Max + "4", "a/b" })
        {
            var result = await RunAsync(temp, command, args, name);
            Assert.True(result.ExitCode == 2, $"{command} {name}: {result}");
            var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=", StringComparison.Ordinal));
            Assert.StartsWith("at=fatal msg=\"invalid ", fatal, StringComparison.Ordinal);
            Assert.Contains("profile", fatal, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("refresh-tokens", new[] { "--find-active", "{}" })]
    [InlineData("codex-login", new[] { "{}", "--status" })]
    [InlineData("ai", new[] { "{}", "--dry-run" })]
    [InlineData("ai", new[] { "cx", "{}", "--dry-run" })]
    public async Task Every_command_accepts_the_longest_valid_name(string command, string[] args)
    {
        using var temp = new TempDir("profile-names-");
        var result = await RunAsync(temp, command, args, Max);
        Assert.NotEqual(2, result.ExitCode);
        Assert.DoesNotContain("invalid", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<ProcessResult> RunAsync(TempDir temp, string command, string[] args, string name)
    {
        var env = new Dictionary<string, string?>
        {
            ["PATH"] = "/usr/bin:/bin",
            ["HOME"] = temp["home"],
            ["AI_DIR"] = temp["ai"],
            ["HISTORY_DIR"] = temp["history"],
            ["SETTINGS_DIR"] = temp["settings"],
            ["CREDENTIALS_DIR"] = temp["settings"],
            ["HISTORY_ROOT"] = temp["history"],
            ["SETTINGS_ROOT"] = temp["settings"],
            ["CODEX_HOME"] = temp["codex"],
        };
        return await Run.CommandAsync(command, args.Select(a => a == "{}" ? name : a), env, cwd: temp.Path, timeout: TimeSpan.FromSeconds(60));
    }
}
