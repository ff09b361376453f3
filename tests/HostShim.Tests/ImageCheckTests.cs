using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// What <c>ai</c> does about the image before the sandbox starts: a missing image is built by the
/// repository's <c>build_image</c> (a stub here that makes the fake podman find the image) with its
/// progress on stderr, then the sandbox runs; a failed build stops before podman run; an image whose
/// inputs label differs from the checkout's <c>container/inputs-hash</c> gets one line and still runs.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class ImageCheckTests : IDisposable
{
    private const string Moved = "at=warn msg=\"the checkout has moved past the image: ./build_image rebuilds it\"";
    private readonly Sandbox _s;

    public ImageCheckTests(FakePodmanBinary podman)
    {
        _s = new Sandbox(podman);
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddDays(1));
        _s.Env["FAKE_PODMAN_IMAGE_FILE"] = ImageFile;
        // The stub records itself in podman's log, so the order of build and run is visible in one list.
        Script("build_image", """
            #!/bin/sh
            printf '@@ call\narg:build_image\narg:AI_IMAGE=%s\n' "$AI_IMAGE" >> "$FAKE_PODMAN_LOG"
            echo 'at=info msg="build step" step=1/2 instruction="FROM base"' >&2
            [ -z "$STUB_BUILD_EXIT" ] || { echo 'at=fatal msg="podman build failed"' >&2; exit "$STUB_BUILD_EXIT"; }
            echo 0123456789abcdef > "$FAKE_PODMAN_IMAGE_FILE"
            echo localhost/ai:0123456789abcdef
            """);
        Script("container/inputs-hash", "#!/bin/sh\necho 0123456789abcdef\n");
    }

    public void Dispose() => _s.Dispose();

    private string ImageFile => Path.Combine(_s.Root, "image-label");

    private void Script(string relative, string content)
    {
        var path = Path.Combine(_s.Repo, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    private IEnumerable<string> Commands => _s.Commands;

    [Fact]
    public async Task A_missing_image_is_built_with_progress_then_the_sandbox_runs()
    {
        var result = await _s.InProcessAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        // The names are asked again after the build: minutes in which another sandbox may have taken one.
        Assert.Equal(["image", "info", "ps", "build_image", "ps", "run"], Commands);
        Assert.Equal("AI_IMAGE=ai:latest", Assert.Single(_s.Calls, c => c.Command == "build_image").Args[1]);
        Assert.Contains("at=info msg=\"image not found: building it with ./build_image, about 5 minutes (Debian base 1, image 3 to 8 on 2 cores)\" image=ai:latest",
            result.StderrLines);
        // Without a terminal the build's steps arrive as log lines on stderr; stdout stays the sandbox's.
        Assert.Contains("at=info msg=\"build step\" step=1/2 instruction=\"FROM base\"", result.StderrLines);
        Assert.Contains(result.StderrLines, l => l.StartsWith("at=info msg=\"image built\" image=ai:latest seconds=", StringComparison.Ordinal));
        Assert.DoesNotContain("0123456789abcdef", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(result.StderrLines, l => l.StartsWith(Moved, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AI_IMAGE_names_the_image_that_is_checked_and_built()
    {
        _s.Env["AI_IMAGE"] = "localhost/ai:mine";
        var result = await _s.InProcessAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("localhost/ai:mine", Assert.Single(_s.Calls, c => c.Command == "image").Args[^1]);
        Assert.Equal("AI_IMAGE=localhost/ai:mine", Assert.Single(_s.Calls, c => c.Command == "build_image").Args[1]);
        Assert.Equal("localhost/ai:mine", _s.RunCall.Args[^1]);
    }

    [Fact]
    public async Task A_failed_build_stops_before_podman_run_with_one_fatal_line()
    {
        _s.Env["STUB_BUILD_EXIT"] = "3";
        var result = await _s.InProcessAsync(["work"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["image", "info", "ps", "build_image"], Commands);
        Assert.Contains("at=fatal msg=\"podman build failed\"", result.StderrLines);
        Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal msg=\"./build_image failed; the lines above say why\" image=ai:latest exit=3 seconds=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_image_from_other_inputs_gets_one_line_naming_the_rebuild_and_the_sandbox_still_runs()
    {
        File.WriteAllText(ImageFile, "fedcba9876543210\n");
        var result = await _s.InProcessAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["image", "info", "ps", "run"], Commands);
        var line = Assert.Single(result.StderrLines, l => l.StartsWith(Moved, StringComparison.Ordinal));
        Assert.Equal($"{Moved} image=ai:latest image_inputs=fedcba9876543210 checkout_inputs=0123456789abcdef fix={_s.Repo}/build_image", line);
    }

    [Fact]
    public async Task An_image_without_the_label_is_reported_as_built_from_other_inputs()
    {
        File.WriteAllText(ImageFile, "<no value>\n");
        var result = await _s.InProcessAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StderrLines, l => l.StartsWith($"{Moved} image=ai:latest image_inputs=none checkout_inputs=0123456789abcdef", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_image_of_the_checkouts_inputs_starts_without_a_word_about_it()
    {
        File.WriteAllText(ImageFile, "0123456789abcdef\n");
        var result = await _s.InProcessAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["image", "info", "ps", "run"], Commands);
        Assert.DoesNotContain(result.StderrLines, l => l.Contains("image", StringComparison.Ordinal) && !l.Contains("starting sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_published_binary_builds_a_missing_image_too()
    {
        var result = await _s.PublishedAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["image", "info", "ps", "build_image", "ps", "run"], Commands);
        Assert.Contains("at=info msg=\"build step\" step=1/2 instruction=\"FROM base\"", result.StderrLines);
    }
}
