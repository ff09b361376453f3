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
public sealed partial class ServiceSupervisor : IAsyncDisposable
{
    private readonly ServiceCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CatalogEntry, IReadinessProbe> _probes;
    private readonly ProbeLoop _probeLoop;
    private readonly BundleStep _bundle;
    private readonly Lock _gate = new();
    private readonly WorkerSet _workers = new();
    private readonly HashSet<string> _managed = new(StringComparer.Ordinal);
    private SystemdManager? _systemd;
    private bool _attachedOnce;

    /// <param name="probes">The readiness probe of each entry; null: the real clients for its kind.</param>
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
        }

        _workers.DropWatches();
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

    /// <summary>Returns once the supervisor's state can be read: its locks are not held by a hung worker.</summary>
    public void CheckResponsive()
    {
        lock (_gate)
        {
        }

        _ = Board.Snapshot();
    }

    public async ValueTask DisposeAsync()
    {
        await _workers.DisposeAsync().ConfigureAwait(false);
    }

    private void StartBundle()
    {
        var generation = Board.Begin(ServiceCatalog.Bundle, _bundle.HasGemfile ? "starting" : "checking for a Gemfile");
        Replace(ServiceCatalog.Bundle, generation, token => RunBundleAsync(generation, token));
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
        Replace(service.Name, generation, token => RunServiceAsync(service, generation, restart, startUnit, token));
    }

    /// <summary>
    /// Runs a name's worker. A worker that throws ends its entry as failed with the reason (a later
    /// generation is left alone), so the board never shows "starting" for a worker that is gone.
    /// </summary>
    private void Replace(string name, long generation, Func<CancellationToken, Task> run) =>
        _workers.Replace(name, run, e =>
        {
            LogWorkerCrashed(_logger, name, e);
            Board.Set(name, generation, EntryStates.Failed, $"supervisor worker crashed: {e.GetType().Name}: {e.Message}");
        });

    [LoggerMessage(Level = LogLevel.Error, Message = "worker crashed {service}")]
    private static partial void LogWorkerCrashed(ILogger logger, string service, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot watch unit after reconnect {service}")]
    private static partial void LogRewatchFailed(ILogger logger, string service, Exception e);
}
