using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// The exclusive lock of one chain: flock on <see cref="Chain.LockPath"/>. It works between processes and
/// between containers bind-mounting the same settings directory, and dies with its holder. Hold it for
/// the whole read-decide-refresh-write; never while waiting for a human.
/// </summary>
internal static class ChainLock
{
    /// <summary>Waits at most <paramref name="timeout"/> for the chain; dispose the result to release it.</summary>
    /// <exception cref="TimeoutException">Another process held the chain for the whole wait.</exception>
    public static Task<FileLock> AcquireAsync(Chain chain, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default) =>
        AcquireAsync(chain, timeout, time, waiting: null, cancellationToken);

    /// <inheritdoc cref="AcquireAsync(Chain, TimeSpan, TimeProvider, CancellationToken)"/>
    /// <param name="waiting">Called at every poll while another process holds the chain (the daemon's watchdog beat).</param>
    public static Task<FileLock> AcquireAsync(Chain chain, TimeSpan timeout, TimeProvider time, Action? waiting, CancellationToken cancellationToken) =>
        FileLock.AcquireAsync(chain.LockPath, timeout, time, waiting, cancellationToken);
}
