using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Tests.Servers;
using AiSandbox.TestSupport;
using AiSandbox.TestSupport.Servers;

namespace AiSandbox.ServiceBootstrap.Tests.Readiness;

[CollectionDefinition(Name)]
public sealed class AllServersCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<RedisServer>, ICollectionFixture<AmqpServer>
{
    public const string Name = "all-servers";
}

/// <summary>Without a supervisor on the bus (here: no bus at all) the client probes the services itself.</summary>
[Collection(AllServersCollection.Name)]
public sealed class ReadinessClientTests(PostgresServer pg, RedisServer redis, AmqpServer amqp)
{
    private SupervisorOptions Options(TempDir dir, string? redisAddress = null) => new()
    {
        BusAddress = "unix:path=" + dir["no-bus.sock"],
        Postgresql = new ServiceOptions { Unit = "ai-postgresql.service", Address = pg.Address, DeadlineSeconds = 10 },
        Lavinmq = new ServiceOptions { Unit = "rabbitmq-server.service", Address = amqp.Address, DeadlineSeconds = 10 },
        Redis = new ServiceOptions { Unit = "redis-server.service", Address = redisAddress ?? redis.Address, DeadlineSeconds = redisAddress is null ? 10 : 1 },
        Bundle = new BundleOptions { Gemfile = dir["Gemfile"], LockPath = dir[".install.lock"] },
    };

    [Fact]
    public async Task Without_a_supervisor_it_probes_the_real_servers_and_reports_progress()
    {
        using var dir = new TempDir();
        var reports = new List<ReadinessSnapshot>();
        var client = new ReadinessClient(Options(dir), TimeProvider.System);

        var snapshot = await client.WaitAsync(TimeSpan.FromSeconds(30), new SyncProgress(reports), CancellationToken.None);

        Assert.False(client.UsedSupervisor);
        Assert.True(snapshot.IsReady, string.Join(", ", snapshot.Services.Select(s => $"{s.Key}={s.Value}")));
        Assert.Equal("skipped", snapshot.Services["bundle"].State);
        Assert.Contains(reports, r => r.Services["postgresql"].State == "starting");
        // The answer is the last report, as on the supervisor path: callers never report it again.
        Assert.Same(snapshot, reports[^1]);
    }

    [Fact]
    public async Task A_dead_service_is_named_with_its_reason()
    {
        using var dir = new TempDir();
        var client = new ReadinessClient(Options(dir, redisAddress: "127.0.0.1:1"), TimeProvider.System);

        var snapshot = await client.WaitAsync(TimeSpan.FromSeconds(30), null, CancellationToken.None);

        Assert.Equal("degraded", snapshot.State);
        var failed = Assert.Single(snapshot.Failed);
        Assert.Equal("redis", failed.Key);
        Assert.StartsWith("deadline 1s exceeded: ", failed.Value.Detail, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(List<ReadinessSnapshot> reports) : IProgress<ReadinessSnapshot>
    {
        public void Report(ReadinessSnapshot value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
