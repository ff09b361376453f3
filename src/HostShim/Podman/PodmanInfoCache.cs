using System.Security.Cryptography;
using System.Text;
using AiSandbox.Common.IO;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// <c>podman info</c>'s answer, kept between launches. podman gathers all of its host report for any question
/// (0.6 s here, more under load), and that was most of what <c>ai</c> adds before the container starts; the few
/// facts <c>ai</c> uses change only with podman itself, its configuration, the installed runtimes, the user or a
/// reboot. So the answer is stored with a key over exactly those, in <c>$XDG_CACHE_HOME/aisandbox/podman-info</c>
/// (default <c>~/.cache</c>), and asked again when the key differs, when <c>podman run</c> fails to start the
/// sandbox (125, 126), or always with <c>AI_PODMAN_INFO_CACHE=0</c>.
/// </summary>
internal sealed class PodmanInfoCache(string path, string key)
{
    // The variables that choose which podman, engine or configuration answers.
    private static readonly string[] Variables =
    [
        "CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY", "CONTAINERS_CONF", "CONTAINERS_CONF_OVERRIDE",
        "CONTAINERS_STORAGE_CONF", "CONTAINERS_REGISTRIES_CONF", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "HOME", "PATH",
    ];

    /// <summary>The cache for this podman and environment; null when it is turned off or there is no home to keep it in.</summary>
    public static PodmanInfoCache? For(PodmanCli podman, Func<string, string?> env)
    {
        if (env("AI_PODMAN_INFO_CACHE")?.ToLowerInvariant() is "0" or "false" or "no" or "off")
        {
            return null;
        }

        var root = env("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
            : env("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache")
            : null;
        return root is null ? null : new PodmanInfoCache(Path.Combine(root, "aisandbox", "podman-info"), Key(podman, env));
    }

    /// <summary>The stored facts when their key matches, else podman's answer, stored for next time.</summary>
    public static async Task<PodmanFacts> FactsAsync(PodmanCli podman, PodmanInfoCache? cache, CancellationToken cancellation)
    {
        if (cache?.Read() is { } known)
        {
            return known;
        }

        var facts = await podman.InfoAsync(cancellation).ConfigureAwait(false);
        cache?.Write(facts);
        return facts;
    }

    public PodmanFacts? Read()
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return lines is [var stored, var rootless, var remote, var version, var runtime, var cgroup] && stored == key
                ? new PodmanFacts(rootless == "1", remote == "1", version, runtime, cgroup)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(PodmanFacts facts)
    {
        try
        {
            AtomicFile.EnsureDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, string.Join('\n', key, facts.Rootless ? "1" : "0", facts.Remote ? "1" : "0",
                OneLine(facts.Version), OneLine(facts.OciRuntime), OneLine(facts.CgroupVersion)) + "\n", durable: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs the next launch a podman info.
        }
    }

    /// <summary>After podman failed to start the sandbox: the next launch asks again.</summary>
    public void Forget()
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    internal static string Key(PodmanCli podman, Func<string, string?> env)
    {
        var text = new StringBuilder();
        text.Append("uid ").Append(Environment.UserName).Append('\n');
        text.Append("boot ").Append(ReadOrEmpty("/proc/sys/kernel/random/boot_id")).Append('\n');
        Stamp(text, podman.Executable);
        foreach (var name in Variables)
        {
            var value = podman.ChildEnvironment.TryGetValue(name, out var child) ? child : env(name);
            text.Append("env ").Append(name).Append('=').Append(value ?? "<unset>").Append('\n');
        }

        var home = env("HOME") ?? "";
        var config = env("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".config");
        foreach (var dir in new[] { "/usr/share/containers", "/etc/containers", Path.Combine(config, "containers") })
        {
            Stamp(text, Path.Combine(dir, "containers.conf"));
            StampDirectory(text, Path.Combine(dir, "containers.conf.d"));
            Stamp(text, Path.Combine(dir, "podman-connections.json"));
        }

        foreach (var name in new[] { "CONTAINERS_CONF", "CONTAINERS_CONF_OVERRIDE" })
        {
            if (env(name) is { Length: > 0 } file)
            {
                Stamp(text, file);
            }
        }

        // podman picks its OCI runtime among those installed.
        foreach (var dir in HostFacts.RuntimeSearchPath(env))
        {
            foreach (var runtime in new[] { "crun", "runc", "krun", "runsc", "youki" })
            {
                var candidate = Path.Combine(dir, runtime);
                if (File.Exists(candidate))
                {
                    Stamp(text, candidate);
                }
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Stamp(StringBuilder text, string file)
    {
        var info = new FileInfo(file);
        text.Append("file ").Append(file).Append(' ');
        text.Append(info.Exists ? $"{info.Length} {info.LastWriteTimeUtc.Ticks}" : "-").Append('\n');
    }

    private static void StampDirectory(StringBuilder text, string dir)
    {
        if (Directory.Exists(dir))
        {
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                Stamp(text, file);
            }
        }
    }

    private static string ReadOrEmpty(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string OneLine(string value) => value.Replace('\n', ' ');
}
