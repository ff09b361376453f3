using AiSandbox.Common.Logging;
using AiSandbox.Launchers.SessionConfig;

namespace AiSandbox.Launchers.Codex;

/// <summary>
/// Codex shows its working directory's name in the status line, and <c>/app</c> says nothing about the
/// project. So codex starts in a directory named after the host's project (HOST_DIR): the second bind
/// mount at HOST_WORKDIR when there is one, else a temporary symlink to the real directory; then a status
/// symlink <c>$HOME/&lt;project&gt; [&lt;profile&gt;]</c> to it. The temporary links go when codex exits.
/// </summary>
internal sealed class HostNamedCwd : IDisposable
{
    private readonly List<string> _cleanup = [];

    private HostNamedCwd(string cwd)
    {
        Cwd = cwd;
        StatusCwd = cwd;
    }

    public string Cwd { get; private set; }

    public string StatusCwd { get; private set; }

    public static HostNamedCwd Create(LauncherHost host, string pwd, string home, string? profile)
    {
        var result = new HostNamedCwd(pwd);
        var hostDir = host.Env("HOST_DIR");
        if (hostDir is null || hostDir.Contains('/', StringComparison.Ordinal) || hostDir is "." or "..")
        {
            hostDir = Path.GetFileName(pwd.TrimEnd('/'));
        }

        if (string.IsNullOrEmpty(hostDir))
        {
            return result;
        }

        if (host.Env("HOST_WORKDIR") is { } workdir && Directory.Exists(workdir) && Path.GetFileName(workdir.TrimEnd('/')) == hostDir)
        {
            result.Cwd = workdir;
        }
        else if (Path.GetFileName(pwd.TrimEnd('/')) != hostDir)
        {
            try
            {
                var parent = Directory.CreateTempSubdirectory("codex-host-cwd.").FullName;
                result._cleanup.Add(parent);
                var link = Path.Combine(parent, hostDir);
                File.CreateSymbolicLink(link, pwd);
                result._cleanup.Insert(0, link);
                result.Cwd = link;
            }
            catch (IOException e)
            {
                host.Log.Warn("failed to create host-named codex cwd", LogField.Quoted("error", e.Message));
            }
        }

        var statusName = $"{hostDir} [{profile ?? "default"}]";
        var statusParent = home;
        var status = Path.Combine(statusParent, statusName);
        if (File.Exists(status) || (Directory.Exists(status) && new DirectoryInfo(status).LinkTarget is null))
        {
            statusParent = Path.Combine(home, ".cx");
            status = Path.Combine(statusParent, statusName);
        }

        try
        {
            Directory.CreateDirectory(statusParent);
            ClaudePlugins.ReplaceSymlink(status, result.Cwd);
            result._cleanup.Insert(0, status);
            if (statusParent != home)
            {
                result._cleanup.Add(statusParent);
            }

            result.StatusCwd = status;
        }
        catch (IOException e)
        {
            host.Log.Warn("Codex status workdir not created", LogField.Quoted("path", status), LogField.Quoted("error", e.Message));
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var path in _cleanup)
        {
            try
            {
                if (new FileInfo(path).LinkTarget is not null)
                {
                    File.Delete(path);
                }
                else if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
                {
                    Directory.Delete(path);
                }
            }
            catch (IOException)
            {
            }
        }

        _cleanup.Clear();
    }
}
