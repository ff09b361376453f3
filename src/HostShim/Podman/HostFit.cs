using System.Globalization;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// The podman options that make the host's podman, with its own defaults, start the sandbox here: limits
/// no higher than the host's hard limits, an OCI runtime that can start systemd on this cgroup layout,
/// and the one setup that cannot boot it at all.
/// </summary>
internal static class HostFit
{
    /// <summary>podman's default for RLIMIT_NOFILE (and RLIMIT_NPROC once any --ulimit is given).</summary>
    public const ulong PodmanDefaultLimit = 1048576;

    /// <summary>
    /// podman lowers its own RLIMIT_NPROC to this when it starts, so runc, its child, cannot give a
    /// container more without CAP_SYS_RESOURCE.
    /// </summary>
    public const ulong PodmanOwnNproc = 32768;

    /// <summary>Exit code when the host cannot boot the sandbox at all (rootless podman on cgroup v1).</summary>
    public const int CannotBoot = 3;

    /// <summary>
    /// <c>--ulimit nofile=N:N --ulimit nproc=M:M</c> from the host's hard limits when podman's defaults
    /// would exceed them and <c>ai</c> may not raise them (root without CAP_SYS_RESOURCE): runc's setrlimit
    /// would fail with "operation not permitted" (exit 126). Both go together: once one is given, podman
    /// asks for 1048576 for the other. Rootless podman caps its defaults itself; a remote one has the VM's.
    /// </summary>
    public static IReadOnlyList<string> Ulimits(PodmanFacts facts, HostFacts host)
    {
        if (facts.Rootless || facts.Remote || host.CanRaiseLimits
            || (host.NofileHard >= PodmanDefaultLimit && host.NprocHard >= PodmanOwnNproc))
        {
            return [];
        }

        var nofile = Math.Min(host.NofileHard, PodmanDefaultLimit).ToString(CultureInfo.InvariantCulture);
        var nproc = Math.Min(host.NprocHard, PodmanOwnNproc).ToString(CultureInfo.InvariantCulture);
        return ["--ulimit", $"nofile={nofile}:{nofile}", "--ulimit", $"nproc={nproc}:{nproc}"];
    }

    /// <summary>
    /// <c>--runtime runc</c> where podman's runtime is crun on a cgroup v1 host and runc is installed: crun
    /// refuses v1 "hybrid" hosts whose cgroup2 mount still lists a controller; runc starts systemd there.
    /// </summary>
    public static IReadOnlyList<string> Runtime(PodmanFacts facts, HostFacts host) =>
        !facts.Remote && facts.OciRuntime == "crun" && facts.CgroupVersion == "v1" && host.HasRunc
            ? ["--runtime", "runc"]
            : [];

    /// <summary>
    /// Rootless: the container's root is the host user (systemd is PID 1 and the agents run as root), so
    /// files the sandbox writes in /app and /settings stay the user's own. That is podman's rootless
    /// "host" user namespace, said explicitly so a containers.conf <c>userns</c> cannot change it.
    /// <c>keep-id:uid=0,gid=0</c> means the same, but podman 4.3 (Debian 12) turns it into a uid_map with
    /// an empty range ("0:1:0") that runc rejects: every rootless start would fail.
    /// </summary>
    public static IReadOnlyList<string> UserNamespace(PodmanFacts facts) =>
        facts.Rootless ? ["--userns=host"] : [];

    /// <summary>Every option above, in the order they go on the command line.</summary>
    public static IReadOnlyList<string> Arguments(PodmanFacts facts, HostFacts host) =>
        [.. Runtime(facts, host), .. Ulimits(facts, host), .. UserNamespace(facts)];

    /// <summary>
    /// systemd in a rootless container needs a delegated cgroup v2 tree; on a v1 host it exits 255 at once,
    /// even with --privileged. Said before anything starts.
    /// </summary>
    public static void EnsureCanBoot(PodmanFacts facts)
    {
        if (facts.Rootless && facts.CgroupVersion == "v1")
        {
            throw new FatalException("the sandbox needs cgroup v2 or rootful podman: systemd cannot boot in a rootless container on this cgroup v1 host",
                ("fix", "sudo ai ..., or boot the host with systemd.unified_cgroup_hierarchy=1"))
            {
                ExitCode = CannotBoot,
            };
        }
    }
}
