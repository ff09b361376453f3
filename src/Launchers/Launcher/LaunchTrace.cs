using System.Diagnostics;
using System.Globalization;
using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers;

/// <summary>
/// With <c>AI_LAUNCH_TRACE=1</c>, one <c>at=debug msg="launch phases"</c> line with the milliseconds each
/// phase took, counted from the command's start (the time before it, exec and runtime start-up, is what a
/// caller measures beyond the sum), so a slow launch can be taken apart without a profiler.
/// </summary>
internal sealed class LaunchTrace
{
    private readonly LogfmtLog? _log;
    private readonly List<LogField> _phases = [];
    private long _last;

    private LaunchTrace(LogfmtLog? log)
    {
        _log = log;
        _last = Stopwatch.GetTimestamp();
    }

    public static LaunchTrace From(LauncherHost host) => new(host.EnvFlag("AI_LAUNCH_TRACE") ? host.Log : null);

    public void Mark(string phase)
    {
        if (_log is null)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        _phases.Add(new LogField(phase + "_ms", Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture)));
        _last = now;
    }

    public void Report() => _log?.Debug("launch phases", [.. _phases]);
}
