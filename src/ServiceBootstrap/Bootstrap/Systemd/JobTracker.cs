namespace AiSandbox.ServiceBootstrap.Systemd;

/// <summary>
/// Matches JobRemoved signals to the job paths StartUnit returned. A job can finish before its
/// StartUnit reply is read (an already active unit), so results that nobody waits for yet are kept
/// for a while, bounded, and picked up by the waiter that arrives later.
/// </summary>
internal sealed class JobTracker : IDisposable
{
    private const int KeepUnclaimed = 512;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TaskCompletionSource<string>> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unclaimed = new(StringComparer.Ordinal);
    private readonly Queue<string> _unclaimedOrder = new();
    private bool _disposed;

    public void Completed(string job, string result)
    {
        TaskCompletionSource<string>? waiter;
        lock (_gate)
        {
            if (!_waiters.Remove(job, out waiter))
            {
                if (_unclaimed.TryAdd(job, result))
                {
                    _unclaimedOrder.Enqueue(job);
                    if (_unclaimedOrder.Count > KeepUnclaimed)
                    {
                        _unclaimed.Remove(_unclaimedOrder.Dequeue());
                    }
                }

                return;
            }
        }

        waiter.TrySetResult(result);
    }

    public async Task<string> WaitAsync(string job, CancellationToken cancellationToken)
    {
        TaskCompletionSource<string> waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_unclaimed.Remove(job, out var result))
            {
                return result;
            }

            waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters[job] = waiter;
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(job);
            }
        }
    }

    /// <summary>The connection is gone: waiters learn it instead of hanging.</summary>
    public void Dispose()
    {
        List<TaskCompletionSource<string>> waiters;
        lock (_gate)
        {
            _disposed = true;
            waiters = [.. _waiters.Values];
            _waiters.Clear();
        }

        foreach (var w in waiters)
        {
            w.TrySetException(new InvalidOperationException("the system bus connection closed before the job finished"));
        }
    }
}
