using System.Diagnostics;
using System.Globalization;
using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers;

/// <summary>
/// With <c>AI_LAUNCH_TRACE=1</c>, one <c>at=debug msg="launch phases"</c> line with the milliseconds each
/// phase took (from process start), so a slow launch can be taken apart without a profiler.
/// </summary>
internal sealed class LaunchTrace
{
    private readonly LogfmtLog? _log;
    private readonly List<LogField> _phases = [];
    private TimeSpan _last;

    private LaunchTrace(LogfmtLog? log) => _log = log;

    public static LaunchTrace From(LauncherHost host)
    {
        var trace = new LaunchTrace(host.EnvFlag("AI_LAUNCH_TRACE") ? host.Log : null);
        if (trace._log is not null)
        {
            trace._last = TimeSpan.Zero;
            trace.Mark("startup");
        }

        return trace;
    }

    public void Mark(string phase)
    {
        if (_log is null)
        {
            return;
        }

        var now = DateTime.Now - Process.GetCurrentProcess().StartTime;
        _phases.Add(new LogField(phase + "_ms", (now - _last).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)));
        _last = now;
    }

    public void Report() => _log?.Debug("launch phases", [.. _phases]);
}
