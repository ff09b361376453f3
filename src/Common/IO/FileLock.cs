namespace AiSandbox.Common.IO;

/// <summary>
/// An exclusive advisory lock (flock(2)) on a lock file. flock locks belong to the open file, so they
/// work between processes and between containers that bind-mount the same directory, and the kernel
/// drops them when the holder dies: a crashed writer never leaves a stale lock behind.
/// </summary>
public sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Waits for the lock, polling with a short back-off, for at most <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">Another holder kept the lock for the whole wait.</exception>
    public static Task<FileLock> AcquireAsync(string lockPath, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default) =>
        AcquireAsync(lockPath, timeout, time, waiting: null, cancellationToken);

    /// <inheritdoc cref="AcquireAsync(string, TimeSpan, TimeProvider, CancellationToken)"/>
    /// <param name="waiting">Called at every poll while the lock is held elsewhere (a daemon's watchdog beat).</param>
    public static async Task<FileLock> AcquireAsync(string lockPath, TimeSpan timeout, TimeProvider time, Action? waiting, CancellationToken cancellationToken)
    {
        var fd = OpenLockFile(lockPath);
        try
        {
            var start = time.GetTimestamp();
            var delay = TimeSpan.FromMilliseconds(2);
            while (true)
            {
                if (TryLock(fd))
                {
                    return new FileLock(fd, lockPath);
                }

                if (time.GetElapsedTime(start) >= timeout)
                {
                    throw new TimeoutException($"lock {lockPath} still held by another process after {timeout.TotalSeconds:0.###}s");
                }

                waiting?.Invoke();
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
            }
        }
        catch
        {
            _ = Native.Close(fd);
            throw;
        }
    }

    /// <summary>Takes the lock if it is free right now; null otherwise.</summary>
    public static FileLock? TryAcquire(string lockPath)
    {
        var fd = OpenLockFile(lockPath);
        if (TryLock(fd))
        {
            return new FileLock(fd, lockPath);
        }

        _ = Native.Close(fd);
        return null;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            // Closing the descriptor releases the lock.
            _ = Native.Close(fd);
        }
    }

    private static int OpenLockFile(string lockPath)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(lockPath));
        if (!string.IsNullOrEmpty(dir))
        {
            AtomicFile.EnsureDirectory(dir);
        }

        var fd = Native.Open(lockPath, Native.O_RDWR | Native.O_CREAT | Native.O_CLOEXEC | Native.O_NOFOLLOW, 0x180 /* 0600 */);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open lock file {lockPath}: {new System.ComponentModel.Win32Exception(errno).Message}");
        }

        return fd;
    }

    private static bool TryLock(int fd)
    {
        while (true)
        {
            if (Native.Flock(fd, Native.LOCK_EX | Native.LOCK_NB) == 0)
            {
                return true;
            }

            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Native.EINTR)
            {
                continue;
            }

            if (errno == Native.EWOULDBLOCK)
            {
                return false;
            }

            throw new IOException($"flock failed: {new System.ComponentModel.Win32Exception(errno).Message}");
        }
    }
}
