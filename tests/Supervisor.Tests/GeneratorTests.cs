using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.Supervisor.Generator;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests;

/// <summary>
/// The boot generator: what it writes for a catalog, and the command systemd runs. The image's boot with
/// it is in tests/EndToEnd (BootTests).
/// </summary>
public sealed class GeneratorTests
{
    [Fact]
    public void Each_enabled_service_is_wanted_at_boot_without_default_dependencies()
    {
        using var dir = new TempDir();
        var units = Units(dir, "ai-postgresql.service", "redis-server.service", "rabbitmq-server.service");
        var catalog = Catalog("postgresql,lavinmq,redis");

        var (early, missing) = new BootGenerator(catalog, [units]).Write(dir["out"]);

        Assert.Equal(["ai-postgresql.service", "redis-server.service"], early);
        Assert.Empty(missing);
        foreach (var unit in early)
        {
            var link = new FileInfo(dir[$"out/multi-user.target.wants/{unit}"]);
            Assert.Equal(Path.Combine(units, unit), link.LinkTarget);
            var dropIn = File.ReadAllText(dir[$"out/{unit}.d/{BootGenerator.DropInName}"]);
            Assert.Contains("DefaultDependencies=no", dropIn, StringComparison.Ordinal);
            Assert.Contains("Conflicts=shutdown.target", dropIn, StringComparison.Ordinal);
            Assert.Contains("Before=shutdown.target", dropIn, StringComparison.Ordinal);
        }

        // The broker does not start with the boot by default: ai-supervisor asks for it once it runs.
        Assert.False(Directory.Exists(dir["out/rabbitmq-server.service.d"]));
        Assert.Equal(2, Directory.GetFileSystemEntries(dir["out/multi-user.target.wants"]).Length);
    }

    [Fact]
    public void The_catalog_decides_which_services_start_with_the_boot()
    {
        using var dir = new TempDir();
        var units = Units(dir, "ai-postgresql.service", "redis-server.service", "rabbitmq-server.service");
        var options = new SupervisorOptions { Services = "postgresql,lavinmq,redis", Lavinmq = { Unit = "rabbitmq-server.service", StartWithBoot = true } };
        options.Redis.StartWithBoot = false;

        var (early, _) = new BootGenerator(new ServiceCatalog(options).Services, [units]).Write(dir["out"]);

        Assert.Equal(["ai-postgresql.service", "rabbitmq-server.service"], early);
    }

    [Fact]
    public void A_unit_that_is_not_installed_is_reported_and_not_wanted()
    {
        using var dir = new TempDir();
        var units = Units(dir, "redis-server.service");

        var (early, missing) = new BootGenerator(Catalog("postgresql,redis"), [dir["nowhere"], units]).Write(dir["out"]);

        Assert.Equal(["redis-server.service"], early);
        Assert.Equal(["ai-postgresql.service"], missing);
        Assert.False(File.Exists(dir["out/multi-user.target.wants/ai-postgresql.service"]));
    }

    [Fact]
    public void Writing_twice_gives_the_same_files()
    {
        using var dir = new TempDir();
        var units = Units(dir, "redis-server.service");
        var generator = new BootGenerator(Catalog("redis"), [units]);

        generator.Write(dir["out"]);
        var (early, _) = generator.Write(dir["out"]);

        Assert.Equal(["redis-server.service"], early);
        Assert.Single(Directory.GetFileSystemEntries(dir["out/multi-user.target.wants"]));
    }

    [Fact]
    public void None_writes_nothing()
    {
        using var dir = new TempDir();
        var (early, _) = new BootGenerator(Catalog("none"), [Units(dir, "redis-server.service")]).Write(dir["out"]);

        Assert.Empty(early);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public void The_managers_environment_is_read_as_getenv_sees_it()
    {
        var env = ManagerEnvironment.Parse("container=podman\0AI_SERVICES=redis\0X=a=b\0AI_SERVICES=postgresql\0noequals\0\0"u8);

        Assert.Equal("podman", env["container"]);
        Assert.Equal("redis", env["AI_SERVICES"]);
        Assert.Equal("a=b", env["X"]);
        Assert.False(env.ContainsKey("noequals"));
    }

    [Fact]
    public void An_unreadable_environment_reads_as_empty()
    {
        using var dir = new TempDir();
        Assert.Empty(ManagerEnvironment.Read(dir["missing"]));
    }

    [Fact]
    public async Task The_command_with_nothing_selected_exits_zero_and_writes_nothing()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["appsettings.json"], """{ "Supervisor": { "Services": "none" } }""");

        var result = await Run.CommandAsync("ai-supervisor-generator", [dir["normal"], dir["early"], dir["late"]],
            new Dictionary<string, string?> { ["AI_SUPERVISOR_CONFIG"] = dir["appsettings.json"] });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Stdout + result.Stderr);
        Assert.False(Directory.Exists(dir["normal/multi-user.target.wants"]));
    }

    [Fact]
    public async Task The_command_rejects_a_bad_catalog_naming_the_key()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["appsettings.json"], """{ "Supervisor": { "Redis": { "Unit": "redis" } } }""");

        var result = await Run.CommandAsync("ai-supervisor-generator", [dir["normal"]],
            new Dictionary<string, string?> { ["AI_SUPERVISOR_CONFIG"] = dir["appsettings.json"] });

        Assert.True(result.ExitCode == 1, result.ToString());
        var fatal = Assert.Single(result.StderrLines);
        Assert.StartsWith("at=fatal msg=\"invalid configuration, no service moved to early boot\"", fatal, StringComparison.Ordinal);
        Assert.Contains("Supervisor:Redis:Unit", fatal, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir["normal"]));
    }

    [Fact]
    public async Task The_command_names_an_output_directory_it_cannot_write()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["appsettings.json"], """{ "Supervisor": { "Services": "redis", "Redis": { "Unit": "dbus.service" } } }""");
        File.WriteAllText(dir["file"], string.Empty);

        var result = await Run.CommandAsync("ai-supervisor-generator", [dir["file/normal"]],
            new Dictionary<string, string?> { ["AI_SUPERVISOR_CONFIG"] = dir["appsettings.json"] });

        Assert.True(result.ExitCode == 1, result.ToString());
        var fatal = Assert.Single(result.StderrLines);
        Assert.StartsWith($"at=fatal msg=\"cannot write the early-start units\" dir=\"{dir["file/normal"]}\"", fatal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "msg=\"expected one or three output directories\" count=0")]
    [InlineData(new[] { "/a", "/b" }, "msg=\"expected one or three output directories\" count=2")]
    [InlineData(new[] { "relative" }, "msg=\"output directory is not absolute\" dir=\"relative\"")]
    public async Task The_command_names_a_bad_command_line(string[] args, string expected)
    {
        var result = await Run.CommandAsync("ai-supervisor-generator", args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("at=fatal " + expected, result.StderrLines[0]);
        Assert.Contains("Usage: ai-supervisor-generator", result.Stderr, StringComparison.Ordinal);
    }

    private static string Units(TempDir dir, params string[] names)
    {
        Directory.CreateDirectory(dir["units"]);
        foreach (var name in names)
        {
            File.WriteAllText(dir[$"units/{name}"], "[Service]\nExecStart=/bin/true\n");
        }

        return dir["units"];
    }

    private static IReadOnlyList<CatalogEntry> Catalog(string services) =>
        new ServiceCatalog(new SupervisorOptions { Services = services, Lavinmq = { Unit = "rabbitmq-server.service" } }).Services;
}
