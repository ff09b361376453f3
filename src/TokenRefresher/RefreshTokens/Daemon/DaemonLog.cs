using Microsoft.Extensions.Logging;

namespace AiSandbox.TokenRefresher.Daemon;

internal static partial class DaemonLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "starting {dir} {settings_dir} {interval} {threshold}")]
    public static partial void Starting(ILogger logger, string dir, string settings_dir, string interval, string threshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "cycle done {status}")]
    public static partial void CycleDone(ILogger logger, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "cycle failed {error}")]
    public static partial void CycleFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot watch directory, polling only {dir} {error}")]
    public static partial void WatchFailed(ILogger logger, string dir, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "daemon loop failed, exiting {error}")]
    public static partial void LoopFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping")]
    public static partial void Stopping(ILogger logger);
}
