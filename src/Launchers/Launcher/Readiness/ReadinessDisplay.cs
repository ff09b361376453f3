using System.Globalization;
using System.Text;
using AiSandbox.Common.Logging;
using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// Shows the wait. On a terminal: one line per service (name, state, elapsed) redrawn in place, and
/// redrawn by <see cref="Tick"/> between snapshots so a slow service's elapsed time keeps counting (the
/// supervisor only signals changes, and a broker can take seconds without one). Otherwise: one logfmt
/// line whenever a service changes state, so logs and pipes stay readable.
/// </summary>
internal sealed class ReadinessDisplay(TextWriter output, bool terminal, LogfmtLog log, TimeProvider? time = null)
{
    /// <summary>How often a terminal display redraws between snapshots.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _seen = new(StringComparer.Ordinal);
    private int _drawnLines;
    private ReadinessSnapshot? _last;
    private long _lastAt;

    /// <summary>On a terminal, a timer that calls <see cref="Tick"/> until disposed; null otherwise.</summary>
    public ITimer? StartTicking() => terminal ? _time.CreateTimer(static d => ((ReadinessDisplay)d!).Tick(), this, TickInterval, TickInterval) : null;

    public void Show(ReadinessSnapshot snapshot)
    {
        lock (_gate)
        {
            if (terminal)
            {
                _last = snapshot;
                _lastAt = _time.GetTimestamp();
                Redraw(snapshot, 0);
                return;
            }

            foreach (var (name, status) in snapshot.Services)
            {
                if (_seen.TryGetValue(name, out var previous) && previous == status.State)
                {
                    continue;
                }

                _seen[name] = status.State;
                log.Info("service " + status.State, ("service", name), ("seconds", Seconds(status.Seconds)));
            }
        }
    }

    /// <summary>Redraws the last snapshot with the time since it arrived added to every unsettled service.</summary>
    public void Tick()
    {
        lock (_gate)
        {
            if (terminal && _last is { } last && last.Services.Values.Any(Unsettled))
            {
                Redraw(last, _time.GetElapsedTime(_lastAt).TotalSeconds);
            }
        }
    }

    private static bool Unsettled(ServiceStatus status) => status.State is EntryStates.Starting or EntryStates.Pending;

    private void Redraw(ReadinessSnapshot snapshot, double since)
    {
        var sb = new StringBuilder();
        if (_drawnLines > 0)
        {
            sb.Append("\e[").Append(_drawnLines).Append('A');
        }

        var width = snapshot.Services.Keys.Select(k => k.Length).DefaultIfEmpty(8).Max();
        foreach (var (name, status) in snapshot.Services)
        {
            var seconds = status.Seconds + (Unsettled(status) ? since : 0);
            sb.Append("\r\e[2K  ").Append(name.PadRight(width)).Append("  ").Append(status.State.PadRight(8))
              .Append(' ').Append(Seconds(seconds).PadLeft(6)).Append('s');
            if (status.State is not EntryStates.Ready && status.Detail.Length > 0)
            {
                sb.Append("  ").Append(status.Detail.ReplaceLineEndings(" "));
            }

            sb.Append('\n');
        }

        _drawnLines = snapshot.Services.Count;
        output.Write(sb.ToString());
        output.Flush();
    }

    private static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture);
}
