using System.Globalization;
using System.Text;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Supervision;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor;

/// <summary>
/// After every change: one journal line for the transition (with its duration), a one-line STATUS=
/// for <c>systemctl status</c>, and the D-Bus signals.
/// </summary>
internal sealed partial class StatusPublisher
{
    private readonly ISystemdNotifier _notifier;
    private readonly ILogger _logger;

    public StatusPublisher(ReadinessBoard board, ISystemdNotifier notifier, ILogger logger)
    {
        _notifier = notifier;
        _logger = logger;
        board.Changed += OnChanged;
    }

    public Func<DBusConnection?> Connection { get; set; } = () => null;

    /// <summary><c>postgresql ready 0.21s · redis ready 0.03s · lavinmq starting 1.2s · bundle skipped</c></summary>
    public static string StatusLine(ReadinessSnapshot snapshot)
    {
        var sb = new StringBuilder();
        foreach (var (name, s) in snapshot.Services)
        {
            if (sb.Length > 0)
            {
                sb.Append(" · ");
            }

            sb.Append(name).Append(' ').Append(s.State);
            if (s.State is not (EntryStates.Skipped or EntryStates.Pending))
            {
                sb.Append(' ').Append(FormatSeconds(s.Seconds));
            }
        }

        return sb.ToString();
    }

    public static string FormatSeconds(double seconds) =>
        (seconds < 10 ? seconds.ToString("0.00", CultureInfo.InvariantCulture) : seconds.ToString("0.0", CultureInfo.InvariantCulture)) + "s";

    private void OnChanged(BoardChange change)
    {
        var level = change.Current.State == EntryStates.Failed ? LogLevel.Warning : LogLevel.Information;
        var current = change.Current;
        LogTransition(_logger, level, change.Name, change.Previous.State, current.State, current.Seconds, current.Detail, change.Snapshot.State);
        _notifier.Notify(new ServiceState("STATUS=" + StatusLine(change.Snapshot)));
        if (Connection() is { } connection)
        {
            SupervisorObject.EmitChanged(connection, change.Snapshot);
        }
    }

    [LoggerMessage(Message = "transition {service} {from} {to} {seconds} {detail} {state}")]
    private static partial void LogTransition(ILogger logger, LogLevel level, string service, string from, string to, double seconds, string detail, string state);
}
