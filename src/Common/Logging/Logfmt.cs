using System.Text;

namespace AiSandbox.Common.Logging;

/// <summary>Formats the baseline's line: <c>at=&lt;level&gt; ts=&lt;UTC ISO-8601&gt; msg="…" key=value …</c>.</summary>
public static class Logfmt
{
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Builds one line without a trailing newline. <paramref name="timestamp"/> null omits <c>ts=</c>.</summary>
    public static string Format(string level, DateTimeOffset? timestamp, string message, ReadOnlySpan<LogField> fields)
    {
        var sb = new StringBuilder(64 + message.Length + fields.Length * 16);
        sb.Append("at=").Append(level);
        if (timestamp is { } ts)
        {
            sb.Append(" ts=").Append(ts.UtcDateTime.ToString(TimestampFormat, System.Globalization.CultureInfo.InvariantCulture));
        }

        sb.Append(" msg=");
        AppendQuoted(sb, message);
        foreach (var field in fields)
        {
            sb.Append(' ').Append(field.Key).Append('=');
            AppendValue(sb, field.Value ?? string.Empty, field.AlwaysQuote);
        }

        return sb.ToString();
    }

    /// <summary>Appends a value, quoting it only when a reader could otherwise split it wrongly.</summary>
    public static void AppendValue(StringBuilder sb, string value, bool alwaysQuote = false)
    {
        if (alwaysQuote || NeedsQuotes(value))
        {
            AppendQuoted(sb, value);
        }
        else
        {
            sb.Append(value);
        }
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        foreach (var c in value)
        {
            if (c <= ' ' || c == '=' || c == '"' || c == '\\' || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    // One line per event, always: newlines and control characters are escaped, never written raw.
    private static void AppendQuoted(StringBuilder sb, string value) => Text.DoubleQuoted.Append(sb, value, "x4");
}
