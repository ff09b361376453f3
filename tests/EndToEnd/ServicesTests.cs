using AiSandbox.EndToEnd.Infrastructure;
using RabbitMQ.Client;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The services the agents work against, inside a booted sandbox: PostgreSQL with trust auth and a root
/// superuser, Redis, and the AMQP broker, each doing real work. The broker is reached from the host
/// through a port published on 127.0.0.1 only.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ServicesTests(TestImage image)
{
    [Fact]
    public async Task Postgresql_redis_and_the_broker_accept_work()
    {
        await using var box = await Sandbox.StartAsync(image, new SandboxOptions { Publish = ["127.0.0.1::5672"] }, "services");
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            // ai-supervisor starts all three at boot; a user's first command may come before they are up.
            await box.WaitForOutputAsync("psql -d postgres -Atc 'select 1' && redis-cli ping",
                o => o.Contains("PONG", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "PostgreSQL and Redis answering");

            // Behavior 57: root connects without a password (trust, role root), no root database needed.
            var psql = await box.ShAsync("psql -d postgres -Atc 'select 1; select rolsuper from pg_roles where rolname = current_user'");
            Assert.Equal(["1", "t"], psql.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("PONG", (await box.ShAsync("redis-cli ping")).Trim());

            var port = await PublishedPortAsync(box.Name, 5672);
            var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = port, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
            await using var connection = await ConnectWithRetryAsync(factory, TimeSpan.FromSeconds(60));
            await using var channel = await connection.CreateChannelAsync();
            var queue = await channel.QueueDeclareAsync(exclusive: true);
            await channel.BasicPublishAsync(string.Empty, queue.QueueName, "hello"u8.ToArray());
            var got = await GetAsync(channel, queue.QueueName);
            Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(got));
        });
    }

    [Fact]
    public async Task The_boot_generator_starts_what_AI_SERVICES_selects_before_basic_target()
    {
        await using var box = await Sandbox.StartAsync(image,
            new SandboxOptions { Network = "none", Environment = new Dictionary<string, string> { ["AI_SERVICES"] = "redis" } }, "generator");
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            // Only the selected unit is wanted by the generator, and it carries the early drop-in.
            Assert.Equal("redis-server.service", (await box.ShAsync("ls /run/systemd/generator/multi-user.target.wants")).Trim());
            var redis = await box.ShAsync("systemctl show redis-server.service -p After -p DropInPaths -p ActiveState");
            Assert.Contains("/run/systemd/generator/redis-server.service.d/50-aisandbox-early.conf", redis, StringComparison.Ordinal);
            Assert.Contains("ActiveState=active", redis, StringComparison.Ordinal);
            var after = redis.Split('\n').Single(l => l.StartsWith("After=", StringComparison.Ordinal)).Split(' ', '=');
            Assert.DoesNotContain("basic.target", after);
            Assert.DoesNotContain("sysinit.target", after);

            // What AI_SERVICES leaves out stays down, and the supervisor agrees with the generator.
            Assert.Equal("inactive", (await box.ShAsync("systemctl is-active ai-postgresql.service || true")).Trim());
            await box.WaitForOutputAsync("s --timeout 30", o => o.Contains("+ all services ready", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "s reporting redis ready");
            Assert.Equal("PONG", (await box.ShAsync("redis-cli ping")).Trim());
        });
    }

    internal static async Task<int> PublishedPortAsync(string container, int port)
    {
        var result = await Podman.CheckedAsync(["port", container, $"{port}/tcp"]);
        var mapping = result.StdoutLines.Single();
        Assert.StartsWith("127.0.0.1:", mapping, StringComparison.Ordinal);
        return int.Parse(mapping[(mapping.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<IConnection> ConnectWithRetryAsync(ConnectionFactory factory, TimeSpan limit)
    {
        // The broker may still be opening its listener even though its unit is active.
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                return await factory.CreateConnectionAsync();
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    private static async Task<byte[]> GetAsync(IChannel channel, string queue)
    {
        for (var i = 0; i < 50; i++)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            if (message is not null)
            {
                return message.Body.ToArray();
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("the published message never arrived");
    }
}
