using System.Globalization;
using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Sandboxes;

namespace AiSandbox.HostShim.Kube;

/// <summary>
/// <c>ai kube</c>'s manifest: the sandbox <c>ai</c> would run, as a Kubernetes Pod (systemd as PID 1, the
/// same environment, capabilities and mounts, each mount a volume), and the chain's one refresher as a
/// second Pod: the standalone <c>refresh-tokens --daemon</c> on the same settings volume. The sandbox's own
/// refresher is told to refresh later (<see cref="SandboxRefreshBeforeSeconds"/>) than the standalone one
/// (the default hour), so while that one runs the sandboxes only adopt what it wrote, and one process
/// writes each chain; both take the chain's flock on the settings volume, so even the fallback is safe
/// wherever that volume carries flock between its users.
/// </summary>
internal static class KubeManifest
{
    public const string RefresherPod = "ai-token-refresh";

    /// <summary>The sandbox's refresher refreshes only with ten minutes left: the standalone one had fifty minutes first.</summary>
    public const int SandboxRefreshBeforeSeconds = 600;

    public static string PodName(HostLayout layout) => "ai-" + InstanceName.Project(layout.ProjectDirName);

    public static string Build(string? profile, HostLayout layout, int primaryPort, string image, Func<string, string?> env, bool withRefresher)
    {
        var y = new YamlText();
        var project = layout.ProjectDirName;
        var name = PodName(layout);
        var workdir = "/host-workdir/" + project;
        y.Line(0, "# ai kube: the sandbox of " + Comment(project) + " as a Kubernetes Pod, and its profile chain's one refresher.")
         .Line(0, "# podman kube play FILE (podman kube down FILE ends it), or kubectl apply -f FILE on one node: the")
         .Line(0, "# volumes are this host's directories. Across hosts, make \"settings\" one ReadWriteMany volume whose")
         .Line(0, "# file system carries flock(2) between hosts, and run the ai-token-refresh Pod once per settings volume.")
         .Line(0, "apiVersion: v1")
         .Line(0, "kind: Pod")
         .Line(0, "metadata:")
         .Pair(1, "name", name)
         .Line(1, "labels:")
         .Pair(2, SandboxLabels.Project, project)
         .Pair(2, SandboxLabels.Agent, profile is null ? "" : "claude")
         .Pair(2, SandboxLabels.Profile, profile ?? "")
         .Line(0, "spec:")
         .Pair(1, "hostname", name)
         .Line(1, "restartPolicy: Never")
         // podman stop's budget for a sandbox: a refresh already sent is finished and written.
         .Line(1, "terminationGracePeriodSeconds: " + PodmanRunPlan.StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture))
         .Line(1, "containers:")
         .Pair(1, "- name", "sandbox")
         .Pair(2, "image", image)
         .List(2, "command", ["/sbin/init"])
         .Line(2, "stdin: true")
         .Line(2, "tty: true")
         .Pair(2, "workingDir", "/app")
         .Line(2, "env:");
        var vars = new List<(string, string)>
        {
            ("HOST_DIR", project),
            ("HOST_WORKDIR", workdir),
            ("PORT", primaryPort.ToString(CultureInfo.InvariantCulture)),
            ("REFRESH_BEFORE", SandboxRefreshBeforeSeconds.ToString(CultureInfo.InvariantCulture)),
        };
        if (profile is not null)
        {
            vars.Add(("CLAUDE_PROFILE", profile));
            vars.Add(("CLAUDE_AUTO_START", "1"));
        }

        foreach (var key in new[] { "AI_SERVICES", "AI_READY_TIMEOUT" })
        {
            if (env(key) is { Length: > 0 } value)
            {
                vars.Add((key, value));
            }
        }

        foreach (var (key, value) in vars)
        {
            y.Pair(2, "- name", key).Pair(3, "value", value);
        }

        y.Line(2, "securityContext:")
         .Line(3, "capabilities:")
         .List(4, "add", ["NET_ADMIN", "NET_RAW", "SYS_PTRACE"])
         .Line(2, "ports:")
         .Line(2, "- containerPort: " + primaryPort.ToString(CultureInfo.InvariantCulture))
         // Ready is what the supervisor publishes on the sandbox's bus, as ai ps reads it.
         .Line(2, "readinessProbe:")
         .Line(3, "exec:")
         .List(4, "command", ["sh", "-c", "busctl --json=short get-property org.aisandbox.Supervisor1 /org/aisandbox/Supervisor1 org.aisandbox.Supervisor1 State | grep -q '\"ready\"'"])
         .Line(3, "periodSeconds: 5")
         .Line(2, "volumeMounts:");
        var volumes = Volumes(layout);
        foreach (var v in volumes)
        {
            y.Pair(2, "- name", v.Name).Pair(3, "mountPath", v.Target);
            if (v.ReadOnly)
            {
                y.Line(3, "readOnly: true");
            }
        }

        // The project is mounted twice (at /app and at its host-workdir path), as ai does.
        y.Pair(2, "- name", "app").Pair(3, "mountPath", workdir);
        y.Line(1, "volumes:");
        foreach (var v in volumes)
        {
            HostPath(y, v.Name, v.Source);
        }

        if (withRefresher)
        {
            y.Line(0, "---")
             .Line(0, "# The one refresher of every chain in this settings directory: it refreshes, the sandboxes adopt.")
             .Line(0, "apiVersion: v1")
             .Line(0, "kind: Pod")
             .Line(0, "metadata:")
             .Pair(1, "name", RefresherPod)
             .Line(0, "spec:")
             .Line(1, "restartPolicy: Always")
             // ai token-refresh's stop budget: one attempt already sent, and its writes.
             .Line(1, "terminationGracePeriodSeconds: 45")
             .Line(1, "containers:")
             .Pair(1, "- name", "refresh-tokens")
             .Pair(2, "image", image)
             .List(2, "command", ["/usr/local/bin/refresh-tokens", "--daemon"])
             .Line(2, "env:")
             .Pair(2, "- name", "CREDENTIALS_DIR").Pair(3, "value", "/settings")
             .Line(2, "volumeMounts:")
             .Pair(2, "- name", "settings").Pair(3, "mountPath", "/settings")
             .Line(1, "volumes:");
            HostPath(y, "settings", layout.SettingsDir);
        }

        return y.ToString();
    }

    /// <summary>The mounts of <see cref="PodmanRunPlan"/>, each a named volume.</summary>
    public static IReadOnlyList<KubeVolume> Volumes(HostLayout layout)
    {
        var list = new List<KubeVolume>();
        foreach (var dir in new[] { "bundle", "commandhistory", "history", "repos", "settings", "share" })
        {
            list.Add(new KubeVolume(dir, Path.Combine(layout.AiDir, dir), "/" + dir, ReadOnly: false));
        }

        list.Add(new KubeVolume("claude", Path.Combine(layout.RepoDir, "claude"), "/claude", ReadOnly: true));
        list.Add(new KubeVolume("app", layout.Cwd, "/app", ReadOnly: false));
        return list;
    }

    private static void HostPath(YamlText y, string volume, string source) =>
        y.Pair(1, "- name", volume).Line(2, "hostPath:").Pair(3, "path", source).Line(3, "type: Directory");

    private static string Comment(string text) => text.Replace('\n', ' ');
}

/// <summary>One host directory of the sandbox as a Pod volume.</summary>
internal sealed record KubeVolume(string Name, string Source, string Target, bool ReadOnly);
