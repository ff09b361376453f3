using System.Text;
using System.Text.RegularExpressions;
using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests.Docs;

/// <summary>
/// Every relative link in the README, docs/ and bench/README.md leads somewhere: the file exists, and a
/// #fragment names a heading of the page it points at (GitHub's anchor rule).
/// </summary>
public sealed partial class DocsLinksTests
{
    public static TheoryData<string> Documents => [.. DocumentPaths().Select(p => Path.GetRelativePath(RepoPaths.Root, p))];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_resolves(string document)
    {
        var path = Path.Combine(RepoPaths.Root, document);
        var broken = new List<string>();
        foreach (var (line, target) in Links(File.ReadAllText(path)))
        {
            if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto")
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var fragment = hash < 0 ? null : target[(hash + 1)..];
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{document}:{line}: {target} (no such file)");
            }
            else if (fragment is not null && !Anchors(resolved).Contains(fragment))
            {
                broken.Add($"{document}:{line}: {target} (no heading with that anchor in {Path.GetRelativePath(RepoPaths.Root, resolved)})");
            }
        }

        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Anchor_rule_is_GitHubs() =>
        Assert.Equal(
            ["image-services-ready-after-podman-run", "build_image-build-the-image-binai-runs", "the-supervisors-catalog", "units-units", "units-units-1"],
            Headings("## Image: services ready after `podman run`\n# `./build_image`: build the image `bin/ai` runs\n## The supervisor's catalog\n## Units (`units/`)\n### Units (`units/`)\n"));

    private static IEnumerable<string> DocumentPaths()
    {
        var root = RepoPaths.Root;
        return new[] { Path.Combine(root, "README.md"), Path.Combine(root, "bench", "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Inline links outside fenced blocks and code spans, with their line numbers.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        var fenced = false;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                continue;
            }

            foreach (Match m in LinkPattern().Matches(CodeSpan().Replace(lines[i], string.Empty)))
            {
                yield return (i + 1, m.Groups[1].Value);
            }
        }
    }

    private static HashSet<string> Anchors(string path) =>
        path.EndsWith(".md", StringComparison.Ordinal) && File.Exists(path) ? [.. Headings(File.ReadAllText(path))] : [];

    /// <summary>GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered.</summary>
    private static List<string> Headings(string markdown)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchors = new List<string>();
        var fenced = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }

            var heading = fenced ? null : HeadingPattern().Match(line);
            if (heading is not { Success: true })
            {
                continue;
            }

            var slug = new StringBuilder();
            foreach (var c in heading.Groups[1].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            var anchor = slug.ToString();
            var count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }

        return anchors;
    }

    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(.*)$")]
    private static partial Regex HeadingPattern();
}
