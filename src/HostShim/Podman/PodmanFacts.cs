namespace AiSandbox.HostShim.Podman;

/// <summary>What <c>podman info</c> says that changes the command line.</summary>
/// <param name="OciRuntime">host.ociRuntime.name: runc, crun, …; empty when podman did not say.</param>
/// <param name="CgroupVersion">host.cgroupVersion: v1 or v2; empty when podman did not say.</param>
internal sealed record PodmanFacts(bool Rootless, bool Remote, string Version, string OciRuntime = "", string CgroupVersion = "")
{
    /// <summary>Assumed when podman cannot be asked (a dry run without podman): rootful, local.</summary>
    public static readonly PodmanFacts Unknown = new(false, false, "");

    /// <summary>
    /// <c>--sdnotify=container</c> hands the caller's NOTIFY_SOCKET to systemd inside (podman 2.0 and
    /// later). A remote client's socket would be on the wrong side of the VM, so not there.
    /// </summary>
    public bool SupportsSdNotify => !Remote && MajorVersion >= 2;

    private int MajorVersion =>
        int.TryParse(Version.Split('.')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major) ? major : 0;
}
