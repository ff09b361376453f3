using AiSandbox.ServiceBootstrap.Catalog;

namespace AiSandbox.Supervisor.Generator;

/// <summary>
/// A systemd generator (systemd.generator(7)) that moves the selected services' start to the very
/// beginning of the boot. ai-supervisor itself needs the system bus, so it starts after basic.target and
/// dbus.service, about 0.2 s into a container's boot; a unit it starts from there waits that long for
/// nothing, since PostgreSQL and Redis need no more than the container's file systems and loopback.
/// For each service the catalog enables and marks <c>StartWithBoot</c>, the generator adds the unit to
/// multi-user.target (so systemd starts it in the boot transaction) and a drop-in with
/// <c>DefaultDependencies=no</c> (so the start does not wait for sysinit.target and basic.target).
/// The supervisor still asks for each unit, waits for its start job and probes it; it finds them already
/// starting or up.
/// </summary>
internal sealed class BootGenerator(IReadOnlyList<CatalogEntry> services, IReadOnlyList<string> unitDirs)
{
    /// <summary>Where units are installed, highest priority first (systemd.unit(5), system manager).</summary>
    public static readonly IReadOnlyList<string> SystemUnitDirs = ["/etc/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

    public const string DropInName = "50-aisandbox-early.conf";

    /// <summary>The shutdown ordering that default dependencies would have given, and nothing else.</summary>
    public const string DropIn = """
        # Written at boot by ai-supervisor's generator: AI_SERVICES selects this unit, so it starts at the
        # beginning of the boot instead of after basic.target. ai-supervisor still probes it.
        [Unit]
        DefaultDependencies=no
        Conflicts=shutdown.target
        Before=shutdown.target

        """;

    /// <summary>
    /// Writes into the generator's normal-priority directory (its first argument). Returns the units it
    /// moved forward and the enabled ones it left alone because no unit file exists (the supervisor
    /// reports those as failed, with the reason).
    /// </summary>
    public (IReadOnlyList<string> Early, IReadOnlyList<string> Missing) Write(string normalDir)
    {
        var early = new List<string>();
        var missing = new List<string>();
        foreach (var service in services.Where(s => s.Enabled && s.StartWithBoot))
        {
            if (Find(service.Unit) is not { } file)
            {
                missing.Add(service.Unit);
                continue;
            }

            var wants = Path.Combine(normalDir, "multi-user.target.wants");
            Directory.CreateDirectory(wants);
            var link = Path.Combine(wants, service.Unit);
            if (new FileInfo(link).LinkTarget is null && !File.Exists(link))
            {
                File.CreateSymbolicLink(link, file);
            }

            var dropIns = Path.Combine(normalDir, service.Unit + ".d");
            Directory.CreateDirectory(dropIns);
            File.WriteAllText(Path.Combine(dropIns, DropInName), DropIn);
            early.Add(service.Unit);
        }

        return (early, missing);
    }

    private string? Find(string unit) =>
        unitDirs.Select(dir => Path.Combine(dir, unit)).FirstOrDefault(path => File.Exists(path));
}
