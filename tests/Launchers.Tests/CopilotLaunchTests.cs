using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

/// <summary><c>co</c> replaces itself with copilot: the documented no-prompt switches, its home in the profile's settings.</summary>
public sealed class CopilotLaunchTests(StubAgent stub) : IClassFixture<StubAgent>
{
    [Fact]
    public async Task Execs_copilot_with_every_permission_on_and_its_state_in_the_settings_directory()
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("co", ["alpha", "--resume", "abc123"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        // Replaced, not a child: the agent has the launcher's pid.
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Equal("copilot", Path.GetFileName(run.Ran.Argv0));
        Assert.Equal(["--allow-all", "--no-auto-update", "--resume=abc123"], run.Ran.Args);
        var state = Path.Combine(box.Settings, "copilot_alpha");
        Assert.Equal(state, run.Ran.Env["COPILOT_HOME"]);
        Assert.Equal("true", run.Ran.Env["COPILOT_ALLOW_ALL"]);
        Assert.Equal("false", run.Ran.Env["COPILOT_AUTO_UPDATE"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
    }

    [Fact]
    public async Task Without_a_profile_the_state_is_settings_copilot_and_an_existing_login_is_kept()
    {
        using var box = new LauncherSandbox(stub);
        var state = Path.Combine(box.Settings, "copilot");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "config.json"), "{\"logged_in_users\":[]}");

        var run = await box.RunAsync("co", []);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(["--allow-all", "--no-auto-update"], run.Ran.Args);
        Assert.Equal(state, run.Ran.Env["COPILOT_HOME"]);
        Assert.Equal("{\"logged_in_users\":[]}", File.ReadAllText(Path.Combine(state, "config.json")));
    }

    [Theory]
    [InlineData(new[] { "../x" }, "invalid copilot profile")]
    [InlineData(new[] { "--bogus" }, "unknown option")]
    [InlineData(new[] { "a", "b" }, "unexpected argument")]
    public async Task A_bad_command_line_is_one_line_and_exit_2_and_copilot_never_runs(string[] args, string message)
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("co", args);

        Assert.Equal(2, run.Result.ExitCode);
        Assert.StartsWith($"at=fatal msg=\"{message}\"", run.Result.StderrLines[0], StringComparison.Ordinal);
        Assert.Null(run.Agent);
        Assert.False(Directory.Exists(Path.Combine(box.Settings, "copilot")));
    }

    [Fact]
    public async Task Help_names_the_flags_and_the_state_directory()
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("co", ["--help"]);

        Assert.Equal(0, run.Result.ExitCode);
        Assert.Contains("copilot --allow-all --no-auto-update", run.Result.Stdout, StringComparison.Ordinal);
        Assert.Contains("COPILOT_HOME=SETTINGS_ROOT/copilot[_<profile>]", run.Result.Stdout, StringComparison.Ordinal);
        Assert.Null(run.Agent);
    }
}
