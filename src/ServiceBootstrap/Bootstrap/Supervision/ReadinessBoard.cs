using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.ServiceBootstrap.Supervision;

/// <summary>A change of one entry; <see cref="Snapshot"/> is the whole picture right after it.</summary>
public sealed record BoardChange(string Name, ServiceStatus Previous, ServiceStatus Current, ReadinessSnapshot Snapshot);

/// <summary>
/// The state of every entry, changed only through generation-checked transitions so that a stale
/// worker (one that was cancelled by a Restart or a reconnect) cannot overwrite a newer result.
/// </summary>
public sealed class ReadinessBoard
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly string[] _order;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    public ReadinessBoard(IEnumerable<string> names, TimeProvider time)
    {
        _time = time;
        _order = [.. names];
        var now = time.GetTimestamp();
        foreach (var name in _order)
        {
            _entries[name] = new Entry { State = EntryStates.Pending, Detail = "waiting", Started = now };
        }
    }

    /// <summary>Raised outside the lock, in order, after every transition.</summary>
    public event Action<BoardChange>? Changed;

    public IReadOnlyList<string> Names => _order;

    public ReadinessSnapshot Snapshot()
    {
        lock (_gate)
        {
            return SnapshotLocked();
        }
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The entry starts (again): a new generation, its clock reset.</summary>
    public long Begin(string name, string detail) => Transition(name, null, EntryStates.Starting, detail, resetClock: true)!.Value;

    /// <summary>Moves the entry if <paramref name="generation"/> is still current; false when it is stale.</summary>
    public bool Set(string name, long generation, string state, string detail) =>
        Transition(name, generation, state, detail, resetClock: false) is not null;

    public long Generation(string name)
    {
        lock (_gate)
        {
            return _entries[name].Generation;
        }
    }

    public string StateOf(string name)
    {
        lock (_gate)
        {
            return _entries[name].State;
        }
    }

    /// <summary>
    /// Returns once State is not starting (with <paramref name="everyEntry"/>: once no entry is starting),
    /// or when <paramref name="timeout"/> elapses.
    /// </summary>
    public async Task<ReadinessSnapshot> WaitSettledAsync(TimeSpan timeout, CancellationToken cancellationToken, bool everyEntry = false)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var snapshot = SnapshotLocked();
                if (everyEntry ? snapshot.AllSettled : snapshot.State != OverallStates.Starting)
                {
                    return snapshot;
                }

                changed = _changed.Task;
            }

            var remaining = timeout - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return Snapshot();
            }

            try
            {
                await changed.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Snapshot();
            }
        }
    }

    private long? Transition(string name, long? generation, string state, string detail, bool resetClock)
    {
        BoardChange change;
        TaskCompletionSource signal;
        long newGeneration;
        lock (_gate)
        {
            var entry = _entries[name];
            if (generation is { } g && g != entry.Generation)
            {
                return null;
            }

            var previous = StatusOf(entry);
            var now = _time.GetTimestamp();
            if (resetClock)
            {
                entry.Generation++;
                entry.Started = now;
                entry.Finished = null;
            }

            entry.State = state;
            entry.Detail = detail;
            entry.Finished = state is EntryStates.Starting or EntryStates.Pending ? null : now;
            var current = StatusOf(entry);
            if (!resetClock && previous.State == current.State && previous.Detail == current.Detail)
            {
                return entry.Generation;
            }

            newGeneration = entry.Generation;
            change = new BoardChange(name, previous, current, SnapshotLocked());
            signal = _changed;
            _changed = NewSignal();
        }

        signal.TrySetResult();
        Changed?.Invoke(change);
        return newGeneration;
    }

    private ReadinessSnapshot SnapshotLocked()
    {
        var services = new Dictionary<string, ServiceStatus>(StringComparer.Ordinal);
        foreach (var name in _order)
        {
            services[name] = StatusOf(_entries[name]);
        }

        return new ReadinessSnapshot(ReadinessSnapshot.Overall(services.Values), services);
    }

    private ServiceStatus StatusOf(Entry e)
    {
        var seconds = e.State == EntryStates.Skipped
            ? 0
            : ((e.Finished ?? _time.GetTimestamp()) - e.Started) / (double)_time.TimestampFrequency;
        return new ServiceStatus(e.State, e.Detail, Math.Round(seconds, 3));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry
    {
        public string State { get; set; } = EntryStates.Pending;

        public string Detail { get; set; } = string.Empty;

        public long Started { get; set; }

        public long? Finished { get; set; }

        public long Generation { get; set; }
    }
}
