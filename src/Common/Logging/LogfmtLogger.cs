using Microsoft.Extensions.Logging;

namespace AiSandbox.Common.Logging;

/// <summary>
/// An <see cref="ILogger"/> over a <see cref="LogfmtLog"/>: lets code written against ILogger (with
/// <c>[LoggerMessage]</c>) run inside a short CLI command without building a logging pipeline. Lines look
/// exactly like the hosted <see cref="LogfmtConsoleFormatter"/>'s.
/// </summary>
public sealed class LogfmtLogger(LogfmtLog log, LogLevel minimum = LogLevel.Information) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var fields = new List<LogField>();
        string? template = null;
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            foreach (var pair in values)
            {
                if (pair.Key == "{OriginalFormat}")
                {
                    template = pair.Value as string;
                    continue;
                }

                fields.Add(new LogField(pair.Key, pair.Value switch
                {
                    null => null,
                    IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                    var v => v.ToString(),
                }));
            }
        }

        if (exception is not null)
        {
            fields.Add(new LogField("error", exception.GetType().Name + ": " + exception.Message));
        }

        var message = template is null ? formatter(state, exception) : LogfmtConsoleFormatter.LiteralText(template);
        log.Write(logLevel, message, fields.ToArray());
    }
}
