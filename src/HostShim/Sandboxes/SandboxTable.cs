using System.Globalization;
using System.Text;

namespace AiSandbox.HostShim.Sandboxes;

/// <summary><c>ai ps</c>'s table: a header, then one line per sandbox, columns padded to their widest cell; <c>-</c> for nothing.</summary>
internal static class SandboxTable
{
    public static readonly string[] Header = ["NAME", "PROJECT", "AGENT", "PROFILE", "UPTIME", "PORTS", "READINESS"];

    public static string Format(IReadOnlyList<SandboxEntry> sandboxes, IReadOnlyList<string> readiness, DateTimeOffset now)
    {
        var rows = new List<string[]> { Header };
        for (var i = 0; i < sandboxes.Count; i++)
        {
            var s = sandboxes[i];
            rows.Add([s.Name, Cell(s.Project), Cell(s.Agent), Cell(s.Profile), s.StartedAt is { } at ? Uptime(now - at) : "-",
                Cell(string.Join(',', s.Ports)), readiness[i]]);
        }

        var widths = new int[Header.Length];
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                sb.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary><c>42s</c>, <c>3m05s</c>, <c>2h07m</c>, <c>3d04h</c>.</summary>
    public static string Uptime(TimeSpan t)
    {
        if (t < TimeSpan.Zero)
        {
            t = TimeSpan.Zero;
        }

        var ci = CultureInfo.InvariantCulture;
        return t.TotalMinutes < 1 ? string.Create(ci, $"{(int)t.TotalSeconds}s")
            : t.TotalHours < 1 ? string.Create(ci, $"{(int)t.TotalMinutes}m{t.Seconds:00}s")
            : t.TotalDays < 1 ? string.Create(ci, $"{(int)t.TotalHours}h{t.Minutes:00}m")
            : string.Create(ci, $"{(int)t.TotalDays}d{t.Hours:00}h");
    }

    private static string Cell(string value) => value.Length > 0 ? value : "-";
}
