using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Claude;
using AiSandbox.Launchers.Codex;
using AiSandbox.Launchers.Exec;
using AiSandbox.Launchers.History;
using AiSandbox.Launchers.Readiness;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.Launchers.Tests;

/// <summary>Fine-grained cases, in-process, with a runner that records instead of exec'ing.</summary>
public sealed class LauncherUnitTests
{
    private sealed class RecordingRunner : IAgentRunner
    {
        public AgentCommand? Command { get; private set; }

        public int Exec(AgentCommand command, TextWriter stderr)
        {
            Command = command;
            return 0;
        }

        public Task<int> RunAsync(AgentCommand command, TextWriter stderr, CancellationToken cancellationToken)
        {
            Command = command;
            return Task.FromResult(3);
        }
    }

    private sealed class FixedReadiness(ReadinessResult result) : IReadinessWait
    {
        public Task<ReadinessResult> WaitAsync(TimeSpan timeout, Action<ReadinessSnapshot>? progress, CancellationToken cancellationToken) =>
            Task.FromResult(result);
    }

    [Theory]
    [InlineData(2026, 8, 20, 10, 0, "2026/08_Aug/20_Thu_10-00_claude")]
    [InlineData(2027, 1, 3, 23, 59, "2027/01_Jan/03_Sun_23-59_claude")]
    public void History_dirs_use_utc_and_english_names(int y, int mo, int d, int h, int mi, string expected)
    {
        Assert.Equal("/history/" + expected, SessionHome.PathFor("/history", new DateTimeOffset(y, mo, d, h, mi, 30, TimeSpan.Zero), "claude"));
    }

    [Fact]
    public void A_second_home_in_the_same_minute_gets_a_sequence_and_keeps_the_tool_suffix()
    {
        using var t = new TempDir();
        var now = new DateTimeOffset(2026, 8, 20, 10, 0, 0, TimeSpan.Zero);
        var first = SessionHome.CreateNew(t.Path, now, "claude");
        var second = SessionHome.CreateNew(t.Path, now, "claude");
        Assert.EndsWith("20_Thu_10-00_claude", first);
        Assert.EndsWith("20_Thu_10-00-2_claude", second);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(second));
    }

    [Theory]
    [InlineData("work", true)]
    [InlineData("a.b-c_D9", true)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("ä", false)]
    public void Profile_names_are_path_safe(string name, bool valid) => Assert.Equal(valid, Cli.Names.IsValidProfile(name));

    [Fact]
    public void Options_accept_both_value_forms()
    {
        var c = ClaudeOptions.Parse(["--resume=abc", "--apikey", "--debug=api"]);
        Assert.Equal(("abc", true, true, "api"), (c.Resume, c.ApiKey, c.Debug, c.DebugFilter));
        c = ClaudeOptions.Parse(["--apikey-file=/k", "work"]);
        Assert.Equal(("work", true, "/k"), (c.Profile, c.ApiKey, c.ApiKeyFile));
        var cx = CodexOptions.Parse(["alpha", "-p", "work", "--resume", "id"]);
        Assert.Equal(("alpha", "work", "id"), (cx.Profile, cx.ConfigProfile, cx.Resume));
        Assert.Throws<UsageException>(() => ClaudeOptions.Parse(["--bogus", "-h"]));
    }

    [Theory]
    [InlineData(null, 60)]
    [InlineData("", 60)]
    [InlineData("2.5", 2.5)]
    [InlineData("0", 0)]
    public void Ready_timeout_defaults_to_60_seconds(string? value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ReadinessGate.ParseTimeout(value));

    [Fact]
    public async Task A_profile_launch_does_not_pass_an_inherited_api_key()
    {
        using var t = new TempDir();
        var env = new Dictionary<string, string>
        {
            ["HOME"] = t["home"], ["HISTORY_ROOT"] = t["history"], ["SETTINGS_ROOT"] = t["settings"], ["ANTHROPIC_API_KEY"] = "inherited",
            ["CLAUDE_SETTINGS_FILE"] = t["none.json"], ["CLAUDE_JSON_TEMPLATE"] = t["none2.json"], ["PLUGIN_ROOT"] = t["plugins"],
        };
        Directory.CreateDirectory(t["home"]);
        var runner = new RecordingRunner();
        var stderr = new StringWriter();
        var host = LauncherHost.ForTest("c", ["work"], env, runner, new StringWriter(), stderr, new FakeTimeProvider(new DateTimeOffset(2026, 8, 20, 10, 0, 0, TimeSpan.Zero)),
            readiness: _ => new FixedReadiness(new ReadinessResult(ReadinessOutcome.Ready, null)));

        var code = await LauncherDispatch.RunLauncherAsync(host, "c");

        Assert.True(code == 0, stderr.ToString());
        Assert.False(runner.Command!.Environment.ContainsKey("ANTHROPIC_API_KEY"));
        Assert.True(Directory.Exists(Path.Combine(t["history"], "2026", "08_Aug", "20_Thu_10-00_claude")));
    }

    [Fact]
    public async Task Cx_returns_the_code_of_codex()
    {
        using var t = new TempDir();
        Directory.CreateDirectory(t["settings/codex"]);
        File.WriteAllText(t["settings/codex/auth.json"], "{}");
        Directory.CreateDirectory(t["home"]);
        Directory.CreateDirectory(t["app"]);
        var env = new Dictionary<string, string> { ["HOME"] = t["home"], ["HISTORY_ROOT"] = t["history"], ["SETTINGS_ROOT"] = t["settings"], ["PWD"] = t["app"], ["CODEX_PLUGIN_ROOT"] = t["none"] };
        var runner = new RecordingRunner();
        var host = LauncherHost.ForTest("cx", [], env, runner, new StringWriter(), new StringWriter(), TimeProvider.System,
            readiness: _ => new FixedReadiness(new ReadinessResult(ReadinessOutcome.Ready, null)));

        Assert.Equal(3, await LauncherDispatch.RunLauncherAsync(host, "cx"));
        Assert.Equal("codex", runner.Command!.Program);
    }
}
