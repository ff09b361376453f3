using AiSandbox.TokenRefresher.Chains;
using Microsoft.Extensions.Logging;

namespace AiSandbox.TokenRefresher.Daemon;

/// <summary>
/// Wakes the daemon when a credential file appears or changes in the credentials or settings directory
/// (inotify through FileSystemWatcher: no polling, no idle CPU). A directory given as a symlink (~/.claude
/// points at the current session's home) is watched where it points now: its parent is watched for the
/// link being replaced, and the next <see cref="Ensure"/> moves the watch to the new target. Our own atomic
/// writes arrive as renames; the daemon keeps its minimum sleep after them.
/// </summary>
internal sealed class CredentialWatcher : IDisposable
{
    private readonly Action _wake;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    public CredentialWatcher(Action wake, ILogger logger)
    {
        _wake = wake;
        _logger = logger;
    }

    /// <summary>
    /// Watches each directory where it resolves to now (call every cycle: a directory may appear later, and a
    /// symlinked one may have been re-pointed).
    /// </summary>
    public void Ensure(IEnumerable<string> directories)
    {
        foreach (var dir in directories.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            var target = Resolve(dir);
            if (_watches.TryGetValue(dir, out var current) && current.Target == target)
            {
                continue;
            }

            current?.Dispose();
            _watches.Remove(dir);
            if (target is null)
            {
                continue;
            }

            var watch = new Watch(target);
            _watches[dir] = watch;
            try
            {
                watch.Files = Start(new FileSystemWatcher(target) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite }, credentialsOnly: true);
                if (target != dir && Path.GetDirectoryName(dir) is { } parent && Directory.Exists(parent))
                {
                    watch.Link = Start(new FileSystemWatcher(parent, Path.GetFileName(dir))
                    {
                        NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
                    }, credentialsOnly: false);
                }
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                DaemonLog.WatchFailed(_logger, dir, e.Message);
            }
        }
    }

    public void Dispose()
    {
        foreach (var w in _watches.Values)
        {
            w.Dispose();
        }

        _watches.Clear();
    }

    /// <summary>The directory <paramref name="dir"/> names now (through a symlink, if it is one); null when there is none.</summary>
    private static string? Resolve(string dir)
    {
        try
        {
            var info = new DirectoryInfo(dir);
            var target = info.LinkTarget is null ? dir : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dir;
            return Directory.Exists(target) ? Path.GetFullPath(target) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private FileSystemWatcher Start(FileSystemWatcher watcher, bool credentialsOnly)
    {
        FileSystemEventHandler changed = credentialsOnly ? OnChanged : (_, _) => _wake();
        watcher.IncludeSubdirectories = false;
        watcher.Created += changed;
        watcher.Changed += changed;
        watcher.Deleted += credentialsOnly ? (_, _) => { } : changed;
        watcher.Renamed += credentialsOnly ? OnRenamed : (_, _) => _wake();
        watcher.Error += (_, _) => _wake();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        if (e.Name is { } name && TokenChains.IsCredentialFileName(name))
        {
            _wake();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (e.Name is { } name && TokenChains.IsCredentialFileName(name))
        {
            _wake();
        }
    }

    /// <summary>The watchers of one configured directory: its current target, and the link's parent when it is a symlink.</summary>
    private sealed class Watch(string target) : IDisposable
    {
        public string Target { get; } = target;

        public FileSystemWatcher? Files { get; set; }

        public FileSystemWatcher? Link { get; set; }

        public void Dispose()
        {
            Files?.Dispose();
            Link?.Dispose();
        }
    }
}
