namespace AiSandbox.Common.Tests.Docs;

/// <summary>
/// The --help blocks of one page in docs/commands, read with the rules docs/generate writes them by:
/// <c>&lt;!-- help: INVOCATION --&gt;</c>, a <c>```text</c> fence, the output, the closing fence,
/// <c>&lt;!-- /help --&gt;</c>. A page that breaks the shape is an error, never a block silently skipped.
/// </summary>
internal sealed class CommandPage
{
    private const string Begin = "<!-- help: ";
    private const string BeginEnd = " -->";
    private const string End = "<!-- /help -->";

    private CommandPage(string relativePath, IReadOnlyList<HelpBlock> blocks)
    {
        RelativePath = relativePath;
        Blocks = blocks;
    }

    public string RelativePath { get; }

    public IReadOnlyList<HelpBlock> Blocks { get; }

    public static CommandPage Read(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        var lines = File.ReadAllText(path).Split('\n');
        var blocks = new List<HelpBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line == End || (line.StartsWith("<!-- help:", StringComparison.Ordinal) && !IsBegin(line)))
            {
                throw new FormatException($"{relative}:{i + 1}: a help marker out of place: {line}");
            }

            if (!IsBegin(line))
            {
                continue;
            }

            var invocation = line[Begin.Length..^BeginEnd.Length];
            if (i + 1 >= lines.Length || lines[i + 1] != "```text")
            {
                throw new FormatException($"{relative}:{i + 2}: the help block for `{invocation}` must open with ```text");
            }

            var close = Array.FindIndex(lines, i + 2, l => l.StartsWith("```", StringComparison.Ordinal));
            if (close < 0 || close + 1 >= lines.Length || lines[close + 1] != End)
            {
                throw new FormatException($"{relative}:{i + 1}: the help block for `{invocation}` must end with ``` and {End}");
            }

            var body = lines[(i + 2)..close];
            blocks.Add(new HelpBlock(invocation, i + 1, body.Length == 0 ? string.Empty : string.Join('\n', body) + "\n"));
            i = close + 1;
        }

        return new CommandPage(relative, blocks);
    }

    private static bool IsBegin(string line) =>
        line.StartsWith(Begin, StringComparison.Ordinal) && line.EndsWith(BeginEnd, StringComparison.Ordinal)
        && line.Length > Begin.Length + BeginEnd.Length;
}

/// <summary>One block: the command line that produces it, the line of its marker, and the text it holds.</summary>
internal sealed record HelpBlock(string Invocation, int Line, string Text);
