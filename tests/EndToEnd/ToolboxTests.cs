using System.Globalization;
using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The agents' toolbox (container/tools, the npm pins) doing real work in one booted sandbox with no
/// network: each test gives a tool a small job and checks the result, not a version string.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ToolboxTests(ToolboxSandbox tools) : IClassFixture<ToolboxSandbox>
{
    private static readonly TimeSpan Build = TimeSpan.FromMinutes(3);

    private Task<string> ShAsync(string script, TimeSpan? timeout = null) =>
        tools.Box.ShAsync("set -euo pipefail; d=$(mktemp -d); cd \"$d\"\n" + script, timeout ?? TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Gh_reads_the_repository_from_an_ssh_remote_offline()
    {
        // Every gh command that names a repository asks the API about it (even browse --no-browser checks
        // that it exists), and the sandbox here has no network: gh's API trace shows what it made of the
        // remote's URL, and the one line it fails with.
        var output = await ShAsync("""
            git init -q repo && cd repo
            git remote add origin git@github.com:octo-org/hello-world.git
            if GH_TOKEN=unused GH_DEBUG=api gh browse --no-browser >out 2>&1; then echo "gh had a network"; exit 1; fi
            cat out
            """);
        Assert.Contains("* Request to https://api.github.com/repos/octo-org/hello-world", output, StringComparison.Ordinal);
        Assert.Contains("error connecting to api.github.com", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shellcheck_flags_an_unquoted_variable()
    {
        var output = await ShAsync("""
            printf '#!/bin/sh\nrm $1\n' >s.sh
            if shellcheck -f gcc s.sh; then echo "no warning"; exit 1; fi
            """);
        Assert.Contains("s.sh:2:4: note: Double quote to prevent globbing and word splitting. [SC2086]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pandoc_turns_markdown_into_html()
    {
        var output = await ShAsync("""printf '# Tools\n\nSome *emphasis* and `code`.\n' | pandoc -f markdown -t html""");
        Assert.Contains("<h1 id=\"tools\">Tools</h1>", output, StringComparison.Ordinal);
        Assert.Contains("<p>Some <em>emphasis</em> and <code>code</code>.</p>", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ffmpeg_makes_a_one_second_clip_that_ffprobe_measures()
    {
        var output = await ShAsync("""
            ffmpeg -v error -f lavfi -i testsrc=duration=1:size=160x120:rate=25 -c:v libx264 -pix_fmt yuv420p clip.mp4
            ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=width,height,nb_read_frames -show_entries format=duration -of default=noprint_wrappers=1 clip.mp4
            """);
        Assert.Contains("width=160", output, StringComparison.Ordinal);
        Assert.Contains("height=120", output, StringComparison.Ordinal);
        Assert.Contains("nb_read_frames=25", output, StringComparison.Ordinal);
        var duration = double.Parse(output.Split('\n').Single(l => l.StartsWith("duration=", StringComparison.Ordinal))["duration=".Length..],
            CultureInfo.InvariantCulture);
        Assert.InRange(duration, 0.96, 1.04);
    }

    [Fact]
    public async Task Screenshot_renders_a_local_page_to_a_png_of_the_viewport_with_its_colours()
    {
        // A red page with a blue square in its top-left corner; the pixels are read back through ffmpeg as RGB.
        var output = await ShAsync("""
            cat >page.html <<'HTML'
            <!doctype html><html><body style="margin:0;background:#ff0000">
            <div style="width:100px;height:100px;background:#0000ff"></div></body></html>
            HTML
            screenshot page.html shot.png --width 320 --height 200
            file shot.png
            px() { ffmpeg -v error -i shot.png -vf "crop=1:1:$1:$2" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 | tr -s ' ' | sed 's/^ //'; }
            echo "blue=$(px 10 10)"
            echo "red=$(px 250 150)"
            """, TimeSpan.FromSeconds(120));
        Assert.Contains("shot.png: PNG image data, 320 x 200,", output, StringComparison.Ordinal);
        Assert.Contains("blue=0 0 255", output, StringComparison.Ordinal);
        Assert.Contains("red=255 0 0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Screenshot_answers_help_and_a_bad_url_in_one_line()
    {
        var help = await ShAsync("screenshot --help");
        Assert.StartsWith("Usage: screenshot URL [FILE]", help, StringComparison.Ordinal);
        var bad = await tools.Box.ExecAsync(["screenshot", "ftp://example.org/x"], TimeSpan.FromSeconds(30));
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("at=fatal msg=\"unsupported URL scheme\" url=\"ftp://example.org/x\"", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cargo_builds_and_runs_a_hello_program_offline()
    {
        var output = await ShAsync("""
            export USER=root
            cargo new --quiet --offline hello && cd hello
            cargo run --quiet --offline
            """, Build);
        Assert.Equal("Hello, world!", output.Trim());
    }

    [Fact]
    public async Task Crystal_builds_and_runs_a_hello_program()
    {
        var output = await ShAsync("""
            echo 'puts "hello from crystal #{1 + 1}"' >hello.cr
            crystal build hello.cr -o hello
            ./hello
            """, Build);
        Assert.Equal("hello from crystal 2", output.Trim());
    }

    [Fact]
    public async Task Ast_grep_finds_a_pattern()
    {
        var output = await ShAsync("""
            printf 'function f(x) {\n  console.log(x + 1);\n  return x;\n}\n' >a.js
            ast-grep run --pattern 'console.log($A)' --lang js a.js
            """);
        Assert.Contains("console.log(x + 1);", output, StringComparison.Ordinal);
        Assert.Contains("a.js", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_22_or_later_runs_copilot_at_its_pin()
    {
        var pin = File.ReadAllText(Path.Combine(RepoPaths.Root, "versions", "copilot")).Trim();
        var output = await ShAsync("""
            node -e 'const m = +process.versions.node.split(".")[0]; if (m < 22) { console.error("node " + m); process.exit(1) } console.log("node=" + process.version)'
            echo "npm=$(npm --version)"
            copilot --version | head -1
            """);
        Assert.Contains("node=v" + File.ReadAllText(Path.Combine(RepoPaths.Root, "versions", "node")).Trim(), output, StringComparison.Ordinal);
        Assert.Contains("npm=" + File.ReadAllText(Path.Combine(RepoPaths.Root, "versions", "npm")).Trim(), output, StringComparison.Ordinal);
        Assert.Contains(pin, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Co_waits_for_the_supervisor_and_execs_copilot_with_the_documented_flags()
    {
        // A stand-in copilot first on PATH shows what the launcher hands over; the supervisor on the bus is real.
        var output = await ShAsync("""
            mkdir -p bin settings
            printf '#!/bin/sh\necho "args=$*"\necho "home=$COPILOT_HOME allow=$COPILOT_ALLOW_ALL"\n' >bin/copilot
            chmod +x bin/copilot
            PATH=$PWD/bin:$PATH SETTINGS_ROOT=$PWD/settings co alpha 2>&1
            stat -c 'mode=%a' settings/copilot_alpha
            """);
        Assert.Contains("args=--allow-all --no-auto-update", output, StringComparison.Ordinal);
        Assert.Matches("home=/tmp/[^ ]+/settings/copilot_alpha allow=true", output);
        Assert.Contains("mode=700", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_other_tools_are_on_the_path_and_co_shadows_nothing()
    {
        var output = await ShAsync("""
            for c in zsh vim ag glow yt-dlp fd bat ctags rustc cargo crystal chromium chromedriver gh shellcheck pandoc ffmpeg ffprobe ast-grep screenshot; do
              command -v "$c" >/dev/null || echo "missing=$c"
            done
            vim --version | head -1
            [ "$(type -ap co)" = /usr/local/bin/co ] && echo co-alone
            [ ! -e /usr/local/bin/sg ] && [ "$(type -p sg)" = /usr/bin/sg ] && echo sg-is-the-system-one
            """);
        Assert.DoesNotContain("missing=", output, StringComparison.Ordinal);
        Assert.Contains("VIM - Vi IMproved", output, StringComparison.Ordinal);
        Assert.Contains("co-alone", output, StringComparison.Ordinal);
        Assert.Contains("sg-is-the-system-one", output, StringComparison.Ordinal);
    }
}
