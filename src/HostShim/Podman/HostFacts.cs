using System.Globalization;
using System.Runtime.InteropServices;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// What the host gives <c>ai</c>'s own process that decides podman's options: its hard resource limits,
/// whether it may raise them, and whether runc is installed.
/// </summary>
internal sealed partial record HostFacts(ulong NofileHard, ulong NprocHard, bool CanRaiseLimits, bool HasRunc)
{
    /// <summary>No limit below what podman asks for, runc installed: nothing to adapt.</summary>
    public static readonly HostFacts Roomy = new(ulong.MaxValue, ulong.MaxValue, CanRaiseLimits: true, HasRunc: true);

    private const int RlimitNproc = 6;
    private const int RlimitNofile = 7;
    private const int CapSysResource = 24;

    // podman looks for an OCI runtime by name in these directories besides PATH (containers.conf runtimes).
    private static readonly string[] RuntimeDirs =
        ["/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/lib/cri-o-runc/sbin"];

    public static HostFacts FromProcess(Func<string, string?> env) =>
        new(HardLimit(RlimitNofile), HardLimit(RlimitNproc), HasCapability(CapSysResource), FindRunc(env));

    private static ulong HardLimit(int resource) =>
        GetRLimit(resource, out var limit) == 0 ? limit.Max : ulong.MaxValue;

    // CapEff in /proc/self/status: a hex mask. Without CAP_SYS_RESOURCE even root cannot raise a hard limit.
    private static bool HasCapability(int bit)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal)
                    && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
                {
                    return (mask & (1UL << bit)) != 0;
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    /// <summary>Where podman finds an OCI runtime: PATH, then the directories containers.conf lists.</summary>
    public static IEnumerable<string> RuntimeSearchPath(Func<string, string?> env) =>
        (env("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(RuntimeDirs).Distinct(StringComparer.Ordinal);

    private static bool FindRunc(Func<string, string?> env) =>
        RuntimeSearchPath(env).Any(dir => File.Exists(Path.Combine(dir, "runc")));

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Cur;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);
}
