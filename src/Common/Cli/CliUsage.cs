using System.Text;

namespace AiSandbox.Common.Cli;

/// <summary>Lays out a usage text: synopsis, prose, a two-column table whose long help lines stay in their column, prose.</summary>
internal static class CliUsage
{
    private const string HelpLabel = "-h, --help";

    public static string Render(CliCommand command)
    {
        var rows = new List<(string Label, string Help)>();
        foreach (var positional in command.Positionals)
        {
            rows.Add((positional.Name, positional.Help));
        }

        foreach (var option in command.Options)
        {
            rows.Add((option.Label, option.Help));
        }

        rows.Add((HelpLabel, "this text"));
        return Render("Usage: " + command.Synopsis, command.Description, null, rows, command.Footer);
    }

    public static string Render(string synopsis, string description, string? tableTitle, IReadOnlyList<(string Label, string Help)> rows, string footer)
    {
        var text = new StringBuilder(synopsis).Append('\n');
        Paragraph(text, description);
        text.Append('\n');
        if (tableTitle is not null)
        {
            text.Append(tableTitle).Append('\n');
        }

        var width = 0;
        foreach (var (label, _) in rows)
        {
            width = Math.Max(width, label.Length);
        }

        width += 2;
        foreach (var (label, help) in rows)
        {
            var lines = help.Split('\n');
            text.Append("  ").Append(label.PadRight(width)).Append(lines[0]).Append('\n');
            for (var i = 1; i < lines.Length; i++)
            {
                text.Append(' ', width + 2).Append(lines[i]).Append('\n');
            }
        }

        Paragraph(text, footer);
        return text.ToString();
    }

    private static void Paragraph(StringBuilder text, string paragraph)
    {
        if (paragraph.Length > 0)
        {
            text.Append('\n').Append(paragraph.TrimEnd('\n')).Append('\n');
        }
    }
}
