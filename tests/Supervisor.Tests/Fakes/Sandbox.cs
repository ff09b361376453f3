using Microsoft.Extensions.Configuration;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// One test's world: a private bus, the test systemd with units that run real servers on fresh
/// ports, and the environment that points ai-supervisor (or s) at all of it.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    public const string PgUnit = "ai-postgresql.service";
    public const string AmqpUnit = "rabbitmq-server.service";
    public const string RedisUnit = "redis-server.service";

    private readonly List<SupervisorProcess> _supervisors = [];

    private Sandbox(PrivateBus bus, FakeSystemd systemd, Dictionary<string, string?> env, TempDir dir)
    {
        Bus = bus;
        Systemd = systemd;
        Env = env;
        Dir = dir;
    }

    public PrivateBus Bus { get; }

    public FakeSystemd Systemd { get; }

    public Dictionary<string, string?> Env { get; }

    public TempDir Dir { get; }

    /// <param name="services">AI_SERVICES.</param>
    /// <param name="pg">Replaces the PostgreSQL unit (for a failing or silent server).</param>
    /// <param name="redis">Replaces the Redis unit.</param>
    public static async Task<Sandbox> CreateAsync(ServersFixture servers, string services = "postgresql,lavinmq,redis",
        Func<int, FakeUnit>? pg = null, Func<int, FakeUnit>? redis = null, double deadlineSeconds = 30)
    {
        var bus = await PrivateBus.StartAsync();
        var dir = new TempDir("aisandbox-sandbox-");
        int pgPort = ServersFixture.FreePort(), redisPort = ServersFixture.FreePort();
        var (pgFile, pgArgs) = await servers.PostgresAsync(dir.Path, pgPort);
        var (redisFile, redisArgs) = ServersFixture.Redis(redisPort);
        var systemd = new FakeSystemd(bus.Address,
            pg?.Invoke(pgPort) ?? new ProcessUnit(PgUnit, pgFile, pgArgs, pgPort, Signals.SIGINT),
            new SharedServerUnit(AmqpUnit, () => servers.AmqpReady),
            redis?.Invoke(redisPort) ?? new ProcessUnit(RedisUnit, redisFile, redisArgs, redisPort));
        await systemd.StartAsync();
        var deadline = deadlineSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string?>
        {
            ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.Address,
            ["AI_SERVICES"] = services,
            ["AI_SUPERVISOR_CONFIG"] = dir["none.json"],
            ["Supervisor__Postgresql__Unit"] = PgUnit,
            ["Supervisor__Postgresql__Address"] = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Database=postgres",
            ["Supervisor__Postgresql__DeadlineSeconds"] = deadline,
            ["Supervisor__Lavinmq__Unit"] = AmqpUnit,
            ["Supervisor__Lavinmq__Address"] = servers.AmqpUri,
            ["Supervisor__Lavinmq__DeadlineSeconds"] = "60",
            ["Supervisor__Redis__Unit"] = RedisUnit,
            ["Supervisor__Redis__Address"] = $"127.0.0.1:{redisPort}",
            ["Supervisor__Redis__DeadlineSeconds"] = deadline,
            ["Supervisor__Bundle__Gemfile"] = dir["Gemfile"],
            ["Supervisor__Bundle__LockPath"] = dir["bundle/.install.lock"],
        };
        return new Sandbox(bus, systemd, env, dir);
    }

    /// <summary>The same catalog for in-process clients.</summary>
    internal SupervisorOptions Options() =>
        SupervisorConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(Env.Where(e => e.Key.StartsWith("Supervisor__", StringComparison.Ordinal))
                .Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build(), name => Env.GetValueOrDefault(name));

    public async Task<SupervisorProcess> StartSupervisorAsync()
    {
        var supervisor = await SupervisorProcess.StartAsync(Env, Bus.Address);
        _supervisors.Add(supervisor);
        return supervisor;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var s in _supervisors)
            {
                await s.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                await Systemd.DisposeAsync();
            }
            finally
            {
                await Bus.DisposeAsync();
                Dir.Dispose();
            }
        }
    }
}
