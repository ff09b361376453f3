using Microsoft.Extensions.Logging;

namespace AiSandbox.Common.Logging;

/// <summary>
/// The CLI's logger: writes one logfmt line per call straight to a writer. Commands that run for
/// milliseconds do not pay for a logging pipeline; daemons use <see cref="LogfmtConsoleFormatter"/>.
/// </summary>
public sealed class LogfmtLog
{
    private readonly TextWriter _output;
    private readonly TimeProvider? _time;
    private readonly bool _journalPrefix;
    private readonly object _gate = new();

    /// <param name="output">Where lines go.</param>
    /// <param name="time">Clock for <c>ts=</c>; null leaves the timestamp out (bin/ai's lines have none).</param>
    /// <param name="journalPrefix">Prefix each line with its journald priority.</param>
    public LogfmtLog(TextWriter output, TimeProvider? time, bool journalPrefix = false)
    {
        _output = output;
        _time = time;
        _journalPrefix = journalPrefix;
    }

    public void Debug(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Debug, message, fields);

    public void Info(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Information, message, fields);

    public void Warn(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Warning, message, fields);

    public void Error(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Error, message, fields);

    public void Fatal(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Critical, message, fields);

    public void Write(LogLevel level, string message, ReadOnlySpan<LogField> fields)
    {
        var line = Logfmt.Format(LogLevelName.Of(level), _time?.GetUtcNow(), message, fields);
        lock (_gate)
        {
            if (_journalPrefix)
            {
                _output.Write(LogLevelName.JournalPrefix(level));
            }

            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
