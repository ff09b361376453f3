using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Systemd;
using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Supervision;

/// <summary>
/// After its start job a unit is watched through PropertiesChanged: one that goes down turns its entry
/// failed, one that comes back is probed again, and after a reconnect the watch is rebuilt from systemd's view.
/// </summary>
public sealed partial class ServiceSupervisor
{
    private async Task WatchAsync(CatalogEntry service, SystemdManager systemd, string path)
    {
        var watch = await systemd.WatchUnitAsync(path, () => _ = OnUnitChangedAsync(service, systemd, path)).ConfigureAwait(false);
        _workers.SetWatch(service.Name, watch);
    }

    private async Task RewatchAsync(CatalogEntry service, SystemdManager systemd)
    {
        try
        {
            var path = await systemd.LoadUnitAsync(service.Unit).ConfigureAwait(false);
            await WatchAsync(service, systemd, path).ConfigureAwait(false);
            await OnUnitChangedAsync(service, systemd, path).ConfigureAwait(false);
        }
        catch (DBusExceptionBase e)
        {
            LogRewatchFailed(_logger, service.Name, e);
        }
    }

    /// <summary>Reacts to the unit's state once its start job is over: down → failed; back up → probe again.</summary>
    private async Task OnUnitChangedAsync(CatalogEntry service, SystemdManager systemd, string path)
    {
        UnitState unit;
        var generation = Board.Generation(service.Name);
        try
        {
            unit = await systemd.GetUnitStateAsync(path).ConfigureAwait(false);
        }
        catch (DBusExceptionBase)
        {
            return;
        }

        var jobDone = _workers.IsJobDone(service.Name);

        var state = Board.StateOf(service.Name);
        if ((state == EntryStates.Ready || (state == EntryStates.Starting && jobDone)) && (unit.IsDown || unit.ActiveState == "deactivating"))
        {
            if (Board.Set(service.Name, generation, EntryStates.Failed, $"{service.Unit} {unit.ActiveState} (result {unit.Result})"))
            {
                _workers.Cancel(service.Name);
            }
        }
        else if (state == EntryStates.Failed && unit.IsActive && jobDone)
        {
            StartWorker(service, restart: false, startUnit: false);
        }
    }
}
