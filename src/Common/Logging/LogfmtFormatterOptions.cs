using Microsoft.Extensions.Logging.Console;

namespace AiSandbox.Common.Logging;

/// <summary>Options of the logfmt console formatter.</summary>
public sealed class LogfmtFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Prefix lines with <c>&lt;N&gt;</c> for journald. Default: detected from JOURNAL_STREAM.</summary>
    public bool JournalPriorityPrefix { get; set; }
}
