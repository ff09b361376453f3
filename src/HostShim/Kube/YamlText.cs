using System.Globalization;
using System.Text;

namespace AiSandbox.HostShim.Kube;

/// <summary>
/// Just enough YAML for a manifest: every scalar a double-quoted string (JSON's escapes are YAML's), so no
/// path, name or value can change the document's structure.
/// </summary>
internal sealed class YamlText
{
    private readonly StringBuilder _sb = new();

    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A line at <paramref name="indent"/> two-space steps, written as given (keys, list markers, numbers).</summary>
    public YamlText Line(int indent, string text)
    {
        _sb.Append(' ', indent * 2).Append(text).Append('\n');
        return this;
    }

    /// <summary><c>key: "value"</c>.</summary>
    public YamlText Pair(int indent, string key, string value) => Line(indent, key + ": " + Quote(value));

    /// <summary><c>key: ["a", "b"]</c>.</summary>
    public YamlText List(int indent, string key, IEnumerable<string> values) =>
        Line(indent, key + ": [" + string.Join(", ", values.Select(Quote)) + "]");

    public override string ToString() => _sb.ToString();
}
