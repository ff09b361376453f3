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
                case '\r': sb.Append("\\r"); break;
                case var _ when char.IsControl(c):
                    sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
