using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// <c>build_image</c> (baseline 111–115), run from a scratch copy of the repository root with a stub
/// <c>publish</c>, a fake <c>npm</c> and the fake podman, so the real pins and images are never touched.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class BuildImageTests : IDisposable
{
    private static readonly string[] Pins = ["claude-code", "codex", "gemini-cli", "copilot"];
    private readonly TempDir _dir = new("aisandbox-build-image-");
    private readonly Dictionary<string, string?> _env;

    public BuildImageTests(FakePodmanBinary podman)
    {
        Directory.CreateDirectory(Repo(""));
        File.Copy(Path.Combine(RepoPaths.Root, "build_image"), Repo("build_image"));
        File.SetUnixFileMode(Repo("build_image"), (UnixFileMode)0b111_101_101);
        Write("publish", "#!/bin/sh\necho published >> \"$PUBLISH_LOG\"\n", executable: true);
        Write("container/Containerfile", "FROM scratch\n");
        foreach (var pin in Pins)
        {
            Write("versions/" + pin, "1.0.0\n");
        }

        Write("tools/npm", "#!/bin/sh\necho \"$@\" >> \"$NPM_LOG\"\nprintf '%s\\n' \"$NPM_VERSION\"\n", executable: true);
        _env = new Dictionary<string, string?>
        {
            ["PATH"] = $"{Repo("tools")}:{podman.BinDir}:/usr/bin:/bin",
            ["FAKE_PODMAN_LOG"] = _dir["podman.log"],
            ["PUBLISH_LOG"] = _dir["publish.log"],
            ["NPM_LOG"] = _dir["npm.log"],
            ["NPM_VERSION"] = "2.3.4",
        };
    }

    public void Dispose() => _dir.Dispose();

    private string Repo(string relative) => Path.Combine(_dir.Path, "repo", relative);

    private void Write(string relative, string content, bool executable = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Repo(relative))!);
        File.WriteAllText(Repo(relative), content);
        if (executable)
        {
            File.SetUnixFileMode(Repo(relative), (UnixFileMode)0b111_101_101);
        }
    }

    private Task<ProcessResult> BuildAsync(params string[] args) =>
        Run.ProcessAsync(Repo("build_image"), args, _env, cwd: _dir.Path);

    private IReadOnlyList<PodmanCall> PodmanCalls => PodmanCall.Read(_dir["podman.log"]);

    private string Pin(string name) => File.ReadAllText(Repo("versions/" + name));

    [Fact]
    public async Task A_normal_build_publishes_then_builds_and_asks_no_registry()
    {
        // 111
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("published\n", File.ReadAllText(_dir["publish.log"]));
        Assert.Equal(["build", "--file", Repo("container/Containerfile"), "--tag", "ai:latest", Path.Combine(_dir.Path, "repo")],
            Assert.Single(PodmanCalls).Args);
        Assert.False(File.Exists(_dir["npm.log"]));
        Assert.All(Pins, p => Assert.Equal("1.0.0\n", Pin(p)));
        Assert.Contains("+ podman build --file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_adds_no_cache_and_pull()
    {
        // 112
        var result = await BuildAsync("--force");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["build", "--no-cache", "--pull"], Assert.Single(PodmanCalls).Args.Take(3));
    }

    [Fact]
    public async Task Podman_build_options_after_a_double_dash_and_AI_IMAGE_tag()
    {
        _env["AI_IMAGE"] = "localhost/ai-test:1";
        var result = await BuildAsync("--", "--network", "host");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["--tag", "localhost/ai-test:1", "--network", "host", Path.Combine(_dir.Path, "repo")], Assert.Single(PodmanCalls).Args.TakeLast(5));
    }

    [Fact]
    public async Task Update_codex_rewrites_only_its_pin_from_npm()
    {
        // 113
        var result = await BuildAsync("--update-codex");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("2.3.4\n", Pin("codex"));
        Assert.Equal("1.0.0\n", Pin("claude-code"));
        Assert.Equal("view @openai/codex version\n", File.ReadAllText(_dir["npm.log"]));
        Assert.Contains("at=info msg=\"pinned\" file=versions/codex version=2.3.4 previous=1.0.0", result.Stderr, StringComparison.Ordinal);
        Assert.Single(PodmanCalls);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("1.2")]
    [InlineData("")]
    [InlineData("1.2.3; rm -rf /")]
    public async Task An_invalid_version_aborts_before_any_pin_or_build(string version)
    {
        _env["NPM_VERSION"] = version;
        var result = await BuildAsync("--update-agents");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("at=fatal msg=\"invalid Claude Code version\"", result.StderrLines[0], StringComparison.Ordinal);
        Assert.All(Pins, p => Assert.Equal("1.0.0\n", Pin(p)));
        Assert.Empty(PodmanCalls);
        Assert.False(File.Exists(_dir["publish.log"]));
    }

    [Fact]
    public async Task Update_agents_updates_all_four_pins()
    {
        // 114 (there are no plugin pins in this repository)
        var result = await BuildAsync("--update-agents", "--update-codex");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(Pins, p => Assert.Equal("2.3.4\n", Pin(p)));
        Assert.Equal(
            ["view @anthropic-ai/claude-code version", "view @openai/codex version", "view @google/gemini-cli version", "view @github/copilot version"],
            File.ReadAllLines(_dir["npm.log"]));
    }

    [Fact]
    public async Task Unknown_option_prints_usage_and_exits_1()
    {
        // 115
        var result = await BuildAsync("--nope");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("at=fatal msg=\"unknown option\" option=\"--nope\"", result.StderrLines[0]);
        Assert.Contains("Usage: build_image", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(PodmanCalls);
    }

    [Fact]
    public async Task Help_exits_0()
    {
        var result = await BuildAsync("--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage: build_image", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_build_when_present_builds_the_image()
    {
        Write("container/build", "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$PUBLISH_LOG.build\"\n", executable: true);
        _env["AI_IMAGE"] = "localhost/ai-test:2";
        var result = await BuildAsync("--force", "--", "--offline");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["--no-cache", "--tag", "localhost/ai-test:2", "--offline"], File.ReadAllLines(_dir["publish.log.build"]));
        Assert.Equal("published\n", File.ReadAllText(_dir["publish.log"]));
        Assert.Empty(PodmanCalls);
    }

    [Fact]
    public async Task A_failing_podman_build_fails_the_script()
    {
        _env["FAKE_PODMAN_EXIT"] = "125";
        var result = await BuildAsync();
        Assert.Equal(125, result.ExitCode);
    }
}
