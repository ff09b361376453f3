namespace AiSandbox.ServiceBootstrap.Catalog;

/// <summary>
/// The service catalog, bound from the <c>Supervisor</c> configuration section (appsettings.json, then
/// environment variables such as <c>Supervisor__Redis__Address</c>); <c>AI_SERVICES</c> overrides
/// <see cref="Services"/>. Defaults match the image; the README lists them.
/// </summary>
public sealed class SupervisorOptions
{
    public const string Section = "Supervisor";

    /// <summary>Comma-separated services to start at boot (postgresql, lavinmq, redis), or "none".</summary>
    public string Services { get; set; } = "postgresql,lavinmq,redis";

    /// <summary>The system bus; empty means DBUS_SYSTEM_BUS_ADDRESS or unix:path=/run/dbus/system_bus_socket.</summary>
    public string BusAddress { get; set; } = string.Empty;

    public ServiceOptions Postgresql { get; set; } = new()
    {
        Unit = "ai-postgresql.service",
        Address = "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres",
        DeadlineSeconds = 30,
        StartWithBoot = true,
    };

    /// <summary>The AMQP broker: lavinmq.service in the image, rabbitmq-server.service in tests.</summary>
    public ServiceOptions Lavinmq { get; set; } = new()
    {
        Unit = "lavinmq.service",
        Address = "amqp://guest:guest@127.0.0.1:5672/",
        DeadlineSeconds = 60,
    };

    public ServiceOptions Redis { get; set; } = new()
    {
        Unit = "redis-server.service",
        Address = "127.0.0.1:6379",
        DeadlineSeconds = 30,
        StartWithBoot = true,
    };

    public BundleOptions Bundle { get; set; } = new();

    public ProbeOptions Probe { get; set; } = new();
}

public sealed class ServiceOptions
{
    /// <summary>The systemd unit that runs the service.</summary>
    public string Unit { get; set; } = string.Empty;

    /// <summary>Npgsql connection string, Redis host:port, or amqp:// URI.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>From the start request until the probe must have succeeded.</summary>
    public double DeadlineSeconds { get; set; } = 30;

    /// <summary>
    /// When enabled, ai-supervisor's boot generator has systemd start the unit at the beginning of the
    /// boot, before ai-supervisor itself runs. True for PostgreSQL and Redis, which are up in tens of
    /// milliseconds; false for the broker, whose seconds of start-up CPU would slow the rest of a small
    /// machine's boot and hold <c>systemctl is-system-running</c> at "starting" until it is up.
    /// </summary>
    public bool StartWithBoot { get; set; }
}

public sealed class BundleOptions
{
    public string Gemfile { get; set; } = "/app/Gemfile";

    public string LockPath { get; set; } = "/bundle/.install.lock";

    /// <summary>The bundler executable (found on PATH unless absolute).</summary>
    public string Command { get; set; } = "bundle";

    public double DeadlineSeconds { get; set; } = 1800;
}

public sealed class ProbeOptions
{
    /// <summary>First pause between attempts; doubles up to <see cref="MaxDelayMilliseconds"/>.</summary>
    public int InitialDelayMilliseconds { get; set; } = 10;

    public int MaxDelayMilliseconds { get; set; } = 500;

    /// <summary>One attempt may take this long (a server that accepts TCP but never answers).</summary>
    public int AttemptTimeoutMilliseconds { get; set; } = 2000;
}
