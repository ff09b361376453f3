using System.Globalization;
using System.Text;

namespace AiSandbox.Common.Text;

/// <summary>
/// A double-quoted string with JSON's escapes, which a TOML basic string and a YAML double-quoted scalar
/// both read the same way: no path, name or value can end the string or change the document around it.
/// Every control character is escaped, DEL and C1 included: TOML forbids DEL raw and YAML allows neither.
/// </summary>
public static class DoubleQuoted
{
    public static string Quote(string value) => Append(new StringBuilder(value.Length + 2), value).ToString();

    /// <summary>Appends the quoted string. <paramref name="hexFormat"/> is the \u escape's digits: "X4" here, "x4" in
    /// logfmt lines, whose readers were given lower case from the start.</summary>
    public static StringBuilder Append(StringBuilder sb, string value, string hexFormat = "X4")
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case var _ when char.IsControl(c):
                    sb.Append("\\u").Append(((int)c).ToString(hexFormat, CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"');
    }
}
