using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// <c>build_image</c> (baseline 111–115), run from a scratch copy of the repository root with a stub
/// <c>publish</c>, a stub <c>container/build</c> (the recipe, tested in <see cref="ContainerBuildTests"/>), a
/// fake <c>npm</c> and the fake podman, so the real pins and images are never touched.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class BuildImageTests : IDisposable
{
    private static readonly string[] Pins = ["claude-code", "codex", "gemini-cli", "copilot"];
    private readonly TempDir _dir = new("aisandbox-build-image-");
    private readonly Dictionary<string, string?> _env;
    private readonly ScratchRepo _repo;

    public BuildImageTests(FakePodmanBinary podman)
    {
        _repo = new ScratchRepo(_dir);
        _repo.CopyFromCheckout("build_image");
        Write("publish", "#!/bin/sh\necho published >> \"$PUBLISH_LOG\"\n", executable: true);
        Write("container/Containerfile", "FROM scratch\n");
        // One line per run of the recipe; the layers-only run answers with LAYERS_EXIT.
        Write("container/build", """
            #!/bin/sh
            echo "$*" >> "$BUILD_LOG"
            case " $* " in *" --layers-only "*) exit ${LAYERS_EXIT:-0} ;; esac
            echo localhost/ai:0123456789abcdef
            exit ${BUILD_EXIT:-0}
            """ + "\n", executable: true);
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
            ["BUILD_LOG"] = _dir["build.log"],
            ["NPM_VERSION"] = "2.3.4",
            ["TMPDIR"] = _dir.Path,
        };
    }

    public void Dispose() => _dir.Dispose();

    private string Repo(string relative) => _repo.Path(relative);

    private void Write(string relative, string content, bool executable = false) => _repo.Write(relative, content, executable);

    private Task<ProcessResult> BuildAsync(params string[] args) =>
        Run.ProcessAsync(Repo("build_image"), args, _env, cwd: _dir.Path);

    private IReadOnlyList<PodmanCall> PodmanCalls => PodmanCall.Read(_dir["podman.log"]);

    private bool Built => File.Exists(_dir["build.log"]);

    /// <summary>Each run of the recipe, its arguments joined by spaces.</summary>
    private string[] BuildRuns => File.ReadAllLines(_dir["build.log"]);

    /// <summary>The arguments of the recipe's last run, the one that makes the image.</summary>
    private string[] BuildArgs => BuildRuns[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private string Pin(string name) => File.ReadAllText(Repo("versions/" + name));

    [Fact]
    public async Task An_image_of_the_checkouts_inputs_is_tagged_without_publishing_first()
    {
        // bin/ai's missing-image path when only the tag is missing: the binaries of these inputs are in that image.
        Write("container/inputs-hash", "#!/bin/sh\necho 0123456789abcdef\n", executable: true);
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(_dir["publish.log"]));
        Assert.Equal(["image exists localhost/ai:0123456789abcdef"], PodmanCalls.Select(c => string.Join(' ', c.Args)));
        Assert.Equal("localhost/ai:0123456789abcdef", result.StdoutLines[^1]);
    }

    [Fact]
    public async Task A_normal_build_publishes_then_runs_the_recipe_and_asks_npm_nothing()
    {
        // 111
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("published\n", File.ReadAllText(_dir["publish.log"]));
        // The layers that need no binary were built while it published.
        Assert.Equal(["--layers-only", ""], BuildRuns);
        Assert.Empty(Directory.GetFiles(_dir.Path, "aisandbox-layers.*.log"));
        Assert.Equal("localhost/ai:0123456789abcdef", result.StdoutLines[^1]);
        Assert.False(File.Exists(_dir["npm.log"]));
        Assert.All(Pins, p => Assert.Equal("1.0.0\n", Pin(p)));
        Assert.Contains("+ " + Repo("container/build"), result.Stderr, StringComparison.Ordinal);
        Assert.Empty(PodmanCalls);
    }

    [Fact]
    public async Task Force_rebuilds_without_the_cache_on_a_fresh_base()
    {
        // 112
        var result = await BuildAsync("--force");
        Assert.Equal(0, result.ExitCode);
        // From scratch while it publishes; the image build then stands on those fresh layers.
        Assert.Equal(["--no-cache --fresh-base --layers-only", "--rebuild"], BuildRuns);
    }

    [Fact]
    public async Task A_failed_layers_build_is_retried_by_the_image_build_with_the_same_options()
    {
        _env["LAYERS_EXIT"] = "1";
        var result = await BuildAsync("--force");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["--no-cache --fresh-base --layers-only", "--no-cache --fresh-base"], BuildRuns);
        Assert.Contains("msg=\"building the image layers failed; the image build retries\"", result.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(_dir.Path, "aisandbox-layers.*.log"));
    }

    [Fact]
    public async Task A_failed_publish_leaves_no_layers_log()
    {
        Write("publish", "#!/bin/sh\nexit 4\n", executable: true);
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Empty(Directory.GetFiles(_dir.Path, "aisandbox-layers.*.log"));
    }

    [Fact]
    public async Task No_publish_uses_the_published_binaries_as_they_are()
    {
        var result = await BuildAsync("--no-publish");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(_dir["publish.log"]));
        Assert.True(Built);
    }

    [Fact]
    public async Task Options_after_a_double_dash_go_to_the_recipe_and_AI_IMAGE_is_the_tag()
    {
        _env["AI_IMAGE"] = "localhost/ai-test:1";
        var result = await BuildAsync("--", "--amqp", "rabbitmq");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["--tag localhost/ai-test:1 --amqp rabbitmq --layers-only", "--tag localhost/ai-test:1 --amqp rabbitmq"], BuildRuns);
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
        Assert.True(Built);
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
        Assert.False(Built);
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
        Assert.False(Built);
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
    public async Task A_failing_recipe_fails_the_script_with_its_code()
    {
        _env["BUILD_EXIT"] = "3";
        var result = await BuildAsync();
        Assert.Equal(3, result.ExitCode);
    }
}
