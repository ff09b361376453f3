using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary><c>ai co [profile]</c> as <c>ai cx</c>: the console auto-launches Copilot's launcher; no host token flow.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class CopilotArgvTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData("co")]
    [InlineData("copilot")]
    public async Task The_copilot_word_passes_auto_start_and_label(string word)
    {
        var argv = await _s.DryRunArgvAsync(word);
        Argv.HasPair(argv, "--env", "COPILOT_AUTO_START=1");
        Argv.HasPair(argv, "--label", "agent=copilot");
        Argv.HasNoEnv(argv, "CLAUDE_AUTO_START");
        Argv.HasNoEnv(argv, "CODEX_AUTO_START");
        Argv.HasNoEnv(argv, "COPILOT_PROFILE");
    }

    [Fact]
    public async Task A_profile_and_a_resume_go_to_copilot_without_any_login_on_the_host()
    {
        // Copilot signs in inside the sandbox and keeps its login in settings/copilot_<profile>: nothing to check here.
        var argv = await _s.DryRunArgvAsync("--resume", "abc", "co", "alpha");
        Argv.HasPair(argv, "--env", "COPILOT_PROFILE=alpha");
        Argv.HasPair(argv, "--env", "COPILOT_RESUME=abc");
        Argv.HasNoEnv(argv, "CLAUDE_RESUME");
        Argv.HasNoEnv(argv, "CLAUDE_PROFILE");
    }

    [Fact]
    public async Task An_invalid_copilot_profile_is_refused_with_exit_2()
    {
        var result = await _s.InProcessAsync(["co", "../x", "--dry-run"]);
        Assert.Equal(2, result.ExitCode);
        var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.StartsWith("at=fatal msg=\"invalid copilot profile\" profile=", fatal, StringComparison.Ordinal);
    }
}
