using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AiSandbox.Common.Logging;

/// <summary>
/// Writes hosted services' logs in the baseline's logfmt. The message template's literal text becomes
/// <c>msg</c> and its named holes become fields, so <c>[LoggerMessage(Message = "refreshed {file}")]</c>
/// prints <c>msg="refreshed" file=…</c>. Under journald each line carries its priority prefix.
/// </summary>
internal sealed class LogfmtConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "logfmt";

    private readonly TimeProvider _time;
    private readonly bool _journal;

    public LogfmtConsoleFormatter(IOptions<LogfmtFormatterOptions> options, TimeProvider time)
        : base(FormatterName)
    {
        _time = time;
        _journal = options.Value.JournalPriorityPrefix;
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var fields = new List<LogField>();
        string? template = null;
        if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var pair in values)
            {
                if (pair.Key == "{OriginalFormat}")
                {
                    template = pair.Value as string;
                    continue;
                }

                fields.Add(new LogField(pair.Key, FormatValue(pair.Value)));
            }
        }

        var message = template is null ? logEntry.Formatter(logEntry.State, logEntry.Exception) : LiteralText(template);
        if (logEntry.Exception is { } ex)
        {
            // Type and message only: a stack trace would break the one-line rule, and exception text
            // written by our code never carries a secret.
            fields.Add(new LogField("error", ex.GetType().Name + ": " + ex.Message));
        }

        var line = Logfmt.Format(LogLevelName.Of(logEntry.LogLevel), _time.GetUtcNow(), message, fields.ToArray());
        if (_journal)
        {
            textWriter.Write(LogLevelName.JournalPrefix(logEntry.LogLevel));
        }

        textWriter.WriteLine(line);
    }

    private static string? FormatValue(object? value) => value switch
    {
        null => null,
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>"refreshed {file} {expires}" → "refreshed".</summary>
    internal static string LiteralText(string template)
    {
        var sb = new StringBuilder(template.Length);
        var depth = 0;
        foreach (var c in template)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                sb.Append(c);
            }
        }

        return string.Join(' ', sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
