namespace AiSandbox.ServiceBootstrap.Supervision;

/// <summary>
/// One running task per supervised name. Replacing a name's worker cancels the old one but hands its
/// unit watch over, so a restart never leaves a moment in which the unit's changes go unseen.
/// </summary>
internal sealed class WorkerSet : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="run"/> as <paramref name="name"/>'s worker; a crash is reported, never thrown.</summary>
    public void Replace(string name, Func<CancellationToken, Task> run, Action<Exception> crashed)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var worker = new Worker(cts);
        Worker? old;
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

        old?.Cancellation.Cancel();
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
                crashed(e);
            }
        });
    }

    /// <summary>Installs a unit watch on the current worker, disposing the one it replaces.</summary>
    public void SetWatch(string name, IDisposable watch)
    {
        IDisposable? old = null;
        lock (_gate)
        {
            if (_workers.TryGetValue(name, out var worker))
            {
                old = worker.Watch;
                worker.Watch = watch;
            }
            else
            {
                old = watch;
            }
        }

        old?.Dispose();
    }

    /// <summary>Drops every unit watch: their bus connection is gone.</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var w in _workers.Values)
            {
                w.Watch?.Dispose();
                w.Watch = null;
            }
        }
    }

    /// <summary>The unit's start job is over, so later unit changes are the unit's own and not the job's.</summary>
    public void MarkJobDone(string name)
    {
        lock (_gate)
        {
            if (_workers.TryGetValue(name, out var w))
            {
                w.JobDone = true;
            }
        }
    }

    public bool IsJobDone(string name)
    {
        lock (_gate)
        {
            return _workers.TryGetValue(name, out var w) && w.JobDone;
        }
    }

    public void Cancel(string name)
    {
        lock (_gate)
        {
            if (_workers.TryGetValue(name, out var w))
            {
                w.Cancellation.Cancel();
            }
        }
    }

    /// <summary>Cancels every worker, drops the watches and waits for the workers to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        DropWatches();
        Task[] running;
        lock (_gate)
        {
            running = [.. _workers.Values.Select(w => w.Task)];
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

    private sealed class Worker(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task Task { get; set; } = Task.CompletedTask;

        public IDisposable? Watch { get; set; }

        public bool JobDone { get; set; }
    }
}
