using System.Text;
using AiSandbox.Common.Text;

namespace AiSandbox.HostShim.Kube;

/// <summary>
/// Just enough YAML for a manifest: every scalar a double-quoted string (<see cref="DoubleQuoted"/>), so no
/// path, name or value can change the document's structure.
/// </summary>
internal sealed class YamlText
{
    private readonly StringBuilder _sb = new();

    public static string Quote(string value) => DoubleQuoted.Quote(value);

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
