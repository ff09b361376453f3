using System.Globalization;
using System.Text;
using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers.Readiness;

/// <summary>
/// Shows the wait. On a terminal: one line per service (name, state, elapsed) redrawn in place. Otherwise:
/// one logfmt line whenever a service changes state, so logs and pipes stay readable.
/// </summary>
internal sealed class ReadinessDisplay(TextWriter output, bool terminal, LogfmtLog log)
{
    private readonly Dictionary<string, string> _seen = new(StringComparer.Ordinal);
    private int _drawnLines;

    public void Show(ReadinessSnapshot snapshot)
    {
        if (terminal)
        {
            Redraw(snapshot);
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

    private void Redraw(ReadinessSnapshot snapshot)
    {
        var sb = new StringBuilder();
        if (_drawnLines > 0)
        {
            sb.Append("\e[").Append(_drawnLines).Append('A');
        }

        var width = snapshot.Services.Keys.Select(k => k.Length).DefaultIfEmpty(8).Max();
        foreach (var (name, status) in snapshot.Services)
        {
            sb.Append("\r\e[2K  ").Append(name.PadRight(width)).Append("  ").Append(status.State.PadRight(8))
              .Append(' ').Append(Seconds(status.Seconds).PadLeft(6)).Append('s');
            if (status.State is not "ready" && status.Detail.Length > 0)
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
