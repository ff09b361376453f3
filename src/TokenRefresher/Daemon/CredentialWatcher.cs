using AiSandbox.TokenRefresher.Chains;
using Microsoft.Extensions.Logging;

namespace AiSandbox.TokenRefresher.Daemon;

/// <summary>
/// Wakes the daemon when a credential file appears or changes in the credentials or settings directory
/// (inotify through FileSystemWatcher: no polling, no idle CPU). Our own atomic writes arrive as renames
/// and cause one extra, write-free cycle.
/// </summary>
internal sealed class CredentialWatcher : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Action _wake;
    private readonly ILogger _logger;
    private readonly HashSet<string> _watched = new(StringComparer.Ordinal);

    public CredentialWatcher(Action wake, ILogger logger)
    {
        _wake = wake;
        _logger = logger;
    }

    /// <summary>Starts watching each existing directory not watched yet (call every cycle: a directory may appear later).</summary>
    public void Ensure(IEnumerable<string> directories)
    {
        foreach (var dir in directories.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            if (_watched.Contains(dir) || !Directory.Exists(dir))
            {
                continue;
            }

            try
            {
                var watcher = new FileSystemWatcher(dir)
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite,
                };
                watcher.Created += OnChanged;
                watcher.Changed += OnChanged;
                watcher.Renamed += OnRenamed;
                watcher.Error += (_, _) => _wake();
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
                _watched.Add(dir);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                DaemonLog.WatchFailed(_logger, dir, e.Message);
                _watched.Add(dir);
            }
        }
    }

    public void Dispose()
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }
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
}
