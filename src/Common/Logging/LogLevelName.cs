using Microsoft.Extensions.Logging;

namespace AiSandbox.Common.Logging;

/// <summary>The words and journald priorities the baseline's log lines use.</summary>
public static class LogLevelName
{
    /// <summary>The <c>at=</c> word: debug, info, warn, error, fatal.</summary>
    public static string Of(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "info",
    };

    /// <summary>The syslog priority prefix journald strips and stores as PRIORITY (sd-daemon(3)).</summary>
    public static string JournalPrefix(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "<7>",
        LogLevel.Information => "<6>",
        LogLevel.Warning => "<4>",
        LogLevel.Error => "<3>",
        LogLevel.Critical => "<2>",
        _ => "<6>",
    };
}
