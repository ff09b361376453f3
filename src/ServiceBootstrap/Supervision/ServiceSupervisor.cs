using AiSandbox.ServiceBootstrap.Bundle;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Probes;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Systemd;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Supervision;

/// <summary>
/// Starts the catalog's units through systemd, probes each service until it accepts work or its
/// deadline passes, runs the bundle step, and keeps watching: a unit that goes down later turns its
/// entry back to failed, and one that comes back is probed again. The same code runs inside
/// ai-supervisor and, when no supervisor answers, inside <c>s</c>.
/// </summary>
internal sealed partial class ServiceSupervisor : IAsyncDisposable
{
    private readonly ServiceCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CatalogEntry, IReadinessProbe> _probes;
    private readonly ProbeLoop _probeLoop;
    private readonly BundleStep _bundle;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _managed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private SystemdManager? _systemd;
    private bool _attachedOnce;

    public ServiceSupervisor(ServiceCatalog catalog, TimeProvider time, ILogger logger,
        Func<CatalogEntry, IReadinessProbe>? probes = null, Action<TimeSpan>? bundleHeartbeat = null)
    {
        _catalog = catalog;
        _time = time;
        _logger = logger;
        _probes = probes ?? (entry => ProbeFactory.Create(entry, catalog.Options.Probe));
        _probeLoop = new ProbeLoop(catalog.Options.Probe, time);
        _bundle = new BundleStep(catalog.Options.Bundle, time, logger) { Heartbeat = bundleHeartbeat };
        Board = new ReadinessBoard(catalog.AllNames, time);
        foreach (var service in catalog.Services.Where(s => s.Enabled))
        {
            _managed.Add(service.Name);
        }
    }

    public ReadinessBoard Board { get; }

    /// <summary>Whether units are started through systemd; false probes only (no systemd reachable).</summary>
    public bool UsesSystemd { get; private set; }

    /// <summary>
    /// A (new) bus connection is up, or null when there is no systemd to talk to. The first call
    /// starts everything; later calls re-watch the units and rebuild each entry from systemd's view.
    /// </summary>
    public async Task AttachAsync(SystemdManager? systemd)
    {
        bool first;
        lock (_gate)
        {
            _systemd = systemd;
            UsesSystemd = systemd is not null;
            first = !_attachedOnce;
            _attachedOnce = true;
        }

        if (first)
        {
            foreach (var service in _catalog.Services.Where(s => !s.Enabled))
            {
                Board.Set(service.Name, Board.Generation(service.Name), EntryStates.Skipped, "not in AI_SERVICES");
            }

            StartBundle();
        }

        foreach (var service in _catalog.Services)
        {
            bool managed;
            lock (_gate)
            {
                managed = _managed.Contains(service.Name);
            }

            if (!managed)
            {
                continue;
            }

            var state = Board.StateOf(service.Name);
            if (first || state is EntryStates.Pending or EntryStates.Starting || systemd is null)
            {
                StartWorker(service, restart: false, startUnit: true);
            }
            else
            {
                await RewatchAsync(service, systemd).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The bus went away: unit watches are dead until the next <see cref="AttachAsync"/>.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _systemd = null;
            foreach (var w in _workers.Values)
            {
                w.Watch?.Dispose();
                w.Watch = null;
            }
        }
    }

    /// <summary>Restarts a unit (or re-runs the bundle step) and probes again; false for an unknown name.</summary>
    public bool Restart(string name)
    {
        if (name == ServiceCatalog.Bundle)
        {
            StartBundle();
            return true;
        }

        if (_catalog.Find(name) is not { } service)
        {
            return false;
        }

        lock (_gate)
        {
            _managed.Add(name);
        }

        StartWorker(service, restart: true, startUnit: true);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_gate)
        {
            running = [.. _workers.Values.Select(w => w.Task)];
            foreach (var w in _workers.Values)
            {
                w.Watch?.Dispose();
            }
        }

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private void StartBundle()
    {
        var generation = Board.Begin(ServiceCatalog.Bundle, _bundle.HasGemfile ? "starting" : "checking for a Gemfile");
        Replace(ServiceCatalog.Bundle, token => RunBundleAsync(generation, token));
    }

    private async Task RunBundleAsync(long generation, CancellationToken cancellationToken)
    {
        var outcome = await _bundle.RunAsync(
            step => Board.Set(ServiceCatalog.Bundle, generation, EntryStates.Starting, step), cancellationToken).ConfigureAwait(false);
        Board.Set(ServiceCatalog.Bundle, generation, outcome.State, outcome.Detail);
    }

    private void StartWorker(CatalogEntry service, bool restart, bool startUnit)
    {
        var generation = Board.Begin(service.Name, restart ? $"restarting {service.Unit}" : $"starting {service.Unit}");
        Replace(service.Name, token => RunServiceAsync(service, generation, restart, startUnit, token));
    }

    private void Replace(string name, Func<CancellationToken, Task> run)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        Worker? old;
        var worker = new Worker(cts);
        lock (_gate)
        {
            _workers.TryGetValue(name, out old);
            _workers[name] = worker;
            worker.Watch = old?.Watch;
            if (old is not null)
            {
                old.Watch = null;
            }
        }

        if (old is not null)
        {
            old.Cancellation.Cancel();
        }

        worker.Task = Task.Run(async () =>
        {
            try
            {
                await run(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogWorkerCrashed(_logger, name, e);
            }
        });
    }

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

                MarkJobDone(service.Name);
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
            MarkJobDone(service.Name);
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

    private async Task WatchAsync(CatalogEntry service, SystemdManager systemd, string path)
    {
        var watch = await systemd.WatchUnitAsync(path, () => _ = OnUnitChangedAsync(service, systemd, path)).ConfigureAwait(false);
        IDisposable? old = null;
        lock (_gate)
        {
            if (_workers.TryGetValue(service.Name, out var worker))
            {
                old = worker.Watch;
                worker.Watch = watch;
                worker.UnitPath = path;
            }
        }

        old?.Dispose();
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

        bool jobDone;
        lock (_gate)
        {
            jobDone = _workers.TryGetValue(service.Name, out var w) && w.JobDone;
        }

        var state = Board.StateOf(service.Name);
        if ((state == EntryStates.Ready || (state == EntryStates.Starting && jobDone)) && (unit.IsDown || unit.ActiveState == "deactivating"))
        {
            if (Board.Set(service.Name, generation, EntryStates.Failed, $"{service.Unit} {unit.ActiveState} (result {unit.Result})"))
            {
                lock (_gate)
                {
                    if (_workers.TryGetValue(service.Name, out var w))
                    {
                        w.Cancellation.Cancel();
                    }
                }
            }
        }
        else if (state == EntryStates.Failed && unit.IsActive && jobDone)
        {
            StartWorker(service, restart: false, startUnit: false);
        }
    }

    private void MarkJobDone(string name)
    {
        lock (_gate)
        {
            if (_workers.TryGetValue(name, out var w))
            {
                w.JobDone = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "worker crashed {service}")]
    private static partial void LogWorkerCrashed(ILogger logger, string service, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot watch unit after reconnect {service}")]
    private static partial void LogRewatchFailed(ILogger logger, string service, Exception e);

    private sealed class Worker(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task Task { get; set; } = Task.CompletedTask;

        public IDisposable? Watch { get; set; }

        public string? UnitPath { get; set; }

        public bool JobDone { get; set; }
    }
}
