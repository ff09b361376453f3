using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Readiness;
using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Supervision;

/// <summary>One service's way to ready: its unit's start job through systemd, then its probe until the deadline.</summary>
public sealed partial class ServiceSupervisor
{
    private async Task RunServiceAsync(CatalogEntry service, long generation, bool restart, bool startUnit, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        var systemd = _systemd;
        if (systemd is not null && startUnit)
        {
            try
            {
                var path = await systemd.LoadUnitAsync(service.Unit).ConfigureAwait(false);
                await WatchAsync(service, systemd, path).ConfigureAwait(false);
                var result = await systemd.RunJobAsync(restart ? "RestartUnit" : "StartUnit", service.Unit, cancellationToken).ConfigureAwait(false);
                if (result != "done")
                {
                    var unit = await systemd.GetUnitStateAsync(path).ConfigureAwait(false);
                    Board.Set(service.Name, generation, EntryStates.Failed,
                        $"{service.Unit} start job {result}: {unit.ActiveState} (result {unit.Result})");
                    return;
                }

                _workers.MarkJobDone(service.Name);
                Board.Set(service.Name, generation, EntryStates.Starting, $"{service.Unit} active, probing");
            }
            catch (DBusErrorReplyException e)
            {
                Board.Set(service.Name, generation, EntryStates.Failed, $"{service.Unit}: {e.ErrorMessage}");
                return;
            }
            catch (Exception e) when (e is DBusConnectionException or InvalidOperationException or ObjectDisposedException &&
                                      !cancellationToken.IsCancellationRequested)
            {
                // The bus dropped mid-job; the next AttachAsync starts this entry again.
                Board.Set(service.Name, generation, EntryStates.Starting, "waiting for the system bus");
                return;
            }
        }
        else
        {
            _workers.MarkJobDone(service.Name);
            Board.Set(service.Name, generation, EntryStates.Starting, "probing");
        }

        var probe = _probes(service);
        try
        {
            var outcome = await _probeLoop.RunAsync(probe, start, service.Deadline, cancellationToken).ConfigureAwait(false);
            Board.Set(service.Name, generation, outcome.Ready ? EntryStates.Ready : EntryStates.Failed, outcome.Detail);
        }
        finally
        {
            if (probe is IAsyncDisposable d)
            {
                await d.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
