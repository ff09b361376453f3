using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests.Docs;

/// <summary>
/// Every page in docs/commands holds its command's --help exactly as the command prints it now, so a
/// usage text cannot change without its page. The invocation is the marker's own, run the way
/// docs/generate runs it (bash exec from the repository root, only PATH, HOME and LANG=C.UTF-8), so argv[0]
/// and the environment are the same on both sides.
/// </summary>
public sealed class CommandPagesTests
{
    private const string Fix = "run ./publish, then docs/generate, and commit the page";

    /// <summary>The commands that are scripts rather than published binaries; each needs a page too.</summary>
    private static readonly string[] Scripts =
        ["bin/ai", "bin/refresh-tokens", "bin/codex-login", "./build_image", "./publish", "./test", "container/build"];

    public static TheoryData<string> Pages => [.. PagePaths().Select(p => Path.GetRelativePath(RepoPaths.Root, p))];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_holds_the_exact_help_of_its_commands(string page)
    {
        var parsed = CommandPage.Read(RepoPaths.Root, Path.Combine(RepoPaths.Root, page));
        Assert.True(parsed.Blocks.Count > 0, $"{page} has no <!-- help: ... --> block");
        foreach (var block in parsed.Blocks)
        {
            // bin/ scripts publish a missing binary on first use; a test must fail instead of building.
            var first = block.Invocation.Split(' ')[0];
            if (first.StartsWith("bin/", StringComparison.Ordinal))
            {
                var binary = Path.Combine(RepoPaths.Root, "artifacts", "bin", first["bin/".Length..]);
                Assert.True(File.Exists(binary), $"{page}:{block.Line}: {binary} is not published: run ./publish (or ./test, which does)");
            }

            var result = await Run.ProcessAsync("/bin/bash", ["-c", "exec " + block.Invocation], cwd: RepoPaths.Root);
            Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0,
                $"{page}:{block.Line}: `{block.Invocation}` must exit 0 with nothing on stderr ({Fix}): {result}");
            Assert.True(block.Text == result.Stdout,
                $"{page}:{block.Line}: the block for `{block.Invocation}` differs from its output; {Fix}. {FirstDifference(block.Text, result.Stdout)}");
        }
    }

    /// <summary>
    /// Each published name and each script has a page: its own block, or (for an alias such as l, or
    /// the binary behind a bin/ script) a --help identical to a block that is on a page.
    /// </summary>
    [Fact]
    public async Task Every_command_has_a_page()
    {
        var blocks = PagePaths().SelectMany(p => CommandPage.Read(RepoPaths.Root, p).Blocks).ToList();
        var invoked = blocks.Select(b => b.Invocation.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        var texts = blocks.Select(b => b.Text).ToHashSet(StringComparer.Ordinal);
        var missing = Scripts.Where(s => !invoked.Contains(s)).ToList();
        foreach (var command in RepoPaths.Commands.Keys.Order(StringComparer.Ordinal))
        {
            var path = "artifacts/bin/" + command;
            if (invoked.Contains(path))
            {
                continue;
            }

            var result = await Run.ProcessAsync("/bin/bash", ["-c", $"exec {path} --help"], cwd: RepoPaths.Root);
            if (result.ExitCode != 0 || !texts.Contains(result.Stdout))
            {
                missing.Add(path);
            }
        }

        Assert.True(missing.Count == 0,
            "no page in docs/commands shows the --help of: " + string.Join(", ", missing)
            + " (add a <!-- help: COMMAND --help --> block to its page, then run ./publish and docs/generate)");
    }

    private static string[] PagePaths()
    {
        var dir = Path.Combine(RepoPaths.Root, "docs", "commands");
        var pages = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.md").Order(StringComparer.Ordinal).ToArray() : [];
        return pages.Length > 0 ? pages : throw new InvalidOperationException($"no command pages in {dir}");
    }

    private static string FirstDifference(string page, string output)
    {
        var a = page.Split('\n');
        var b = output.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end)";
            var right = i < b.Length ? b[i] : "(end)";
            if (left != right)
            {
                return $"Line {i + 1} of the block: page has \"{left}\", the command prints \"{right}\".";
            }
        }

        return "They differ only in line endings.";
    }
}
