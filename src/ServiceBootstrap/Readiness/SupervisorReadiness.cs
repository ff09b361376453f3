using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>
/// The supervisor's half of a readiness wait, over D-Bus alone: WaitReady, with StateChanged as progress.
/// Nothing here probes a service, so a program that uses only this (c, cx) links none of the probe
/// clients, which cost it about 1.8 ms of start-up per launch (page faults and static set-up).
/// </summary>
public sealed class SupervisorReadiness(string busAddress, TimeProvider time)
{
    /// <summary>WaitReady is called in slices: a bus's reply timeout (25 s by default) must never cut a long wait.</summary>
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The supervisor's final snapshot (the last progress report too), or null when no supervisor
    /// answers: no bus, not on it, or gone mid-wait (stopped or restarting). With <paramref name="start"/>,
    /// asks it first to start every entry that is not running, and waits for every entry's final word.
    /// </summary>
    public async Task<ReadinessSnapshot?> TryWaitAsync(TimeSpan timeout, IProgress<ReadinessSnapshot>? progress, bool start,
        CancellationToken cancellationToken)
    {
        using var connection = new DBusConnection(busAddress);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            // Asking the supervisor directly tells whether it is there (ServiceUnknown when not), and when
            // the services are already settled, as for every launch after boot, this one call is all.
            var current = await SupervisorCalls.GetSnapshotAsync(connection).ConfigureAwait(false);
            var final = !start && current.State != OverallStates.Starting
                ? current
                : await ViaSupervisorAsync(connection, timeout, progress, start, cancellationToken).ConfigureAwait(false);
            // Signals are handled on their own thread and can arrive after the reply that ends the wait:
            // the answer itself is always the last report.
            progress?.Report(final);
            return final;
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NoReply"
                                                    or "org.freedesktop.DBus.Error.NameHasNoOwner")
        {
            return null;
        }
        catch (Exception e) when (SupervisorBus.IsUnreachable(e))
        {
            return null;
        }
    }

    private async Task<ReadinessSnapshot> ViaSupervisorAsync(DBusConnection connection, TimeSpan timeout,
        IProgress<ReadinessSnapshot>? progress, bool start, CancellationToken cancellationToken)
    {
        using var signals = await connection.WatchSignalAsync(
            SupervisorBus.Name, SupervisorBus.Path, SupervisorBus.Interface, "StateChanged",
            static (message, _) => SnapshotWire.ReadSnapshot(message),
            (Notification<ReadinessSnapshot> n) =>
            {
                if (!n.IsCompletion)
                {
                    progress?.Report(n.Value);
                }
            },
            ObserverFlags.None,
            emitOnCapturedContext: false).ConfigureAwait(false);

        var current = await SupervisorCalls.GetSnapshotAsync(connection).ConfigureAwait(false);
        progress?.Report(current);
        if (start)
        {
            foreach (var (name, status) in current.Services)
            {
                var wanted = name == EntryNames.Bundle
                    ? status.State == EntryStates.Failed
                    : status.State is EntryStates.Failed or EntryStates.Skipped or EntryStates.Pending;
                if (wanted)
                {
                    await SupervisorCalls.RestartAsync(connection, name).ConfigureAwait(false);
                }
            }
        }

        var started = time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = timeout - time.GetElapsedTime(started);
            var slice = remaining < Slice ? remaining : Slice;
            var snapshot = await SupervisorCalls.WaitReadyAsync(connection, slice < TimeSpan.Zero ? TimeSpan.Zero : slice)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (time.GetElapsedTime(started) >= timeout)
            {
                return snapshot;
            }

            if (snapshot.State != OverallStates.Starting)
            {
                // WaitReady answers at the first failure; s wants every entry's final word.
                return start ? await UntilAllSettledAsync(connection, snapshot, started, timeout, cancellationToken).ConfigureAwait(false) : snapshot;
            }
        }
    }

    private async Task<ReadinessSnapshot> UntilAllSettledAsync(DBusConnection connection, ReadinessSnapshot snapshot, long started,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (!snapshot.AllSettled && time.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
            snapshot = await SupervisorCalls.GetSnapshotAsync(connection).ConfigureAwait(false);
        }

        return snapshot;
    }
}
