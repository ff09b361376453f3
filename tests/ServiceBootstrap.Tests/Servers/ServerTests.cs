using AiSandbox.TestSupport.Servers;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;
using Tmds.DBus.Protocol;

namespace AiSandbox.ServiceBootstrap.Tests.Servers;

// One real round trip per server the test command starts: proof that the suites below talk to real
// servers, and the first place to look when one of them is missing.

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task Runs_a_query()
    {
        await using var connection = new NpgsqlConnection(server.Address);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select 40 + 2", connection);
        Assert.Equal(42, await command.ExecuteScalarAsync());
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisServerTests(RedisServer server)
{
    [Fact]
    public async Task Answers_ping()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Address);
        var latency = await redis.GetDatabase().PingAsync();
        Assert.True(latency >= TimeSpan.Zero);
    }
}

[Collection(AmqpCollection.Name)]
public sealed class AmqpServerTests(AmqpServer server)
{
    [Fact]
    public async Task Opens_a_channel_publishes_and_gets()
    {
        var factory = new ConnectionFactory { Uri = new Uri(server.Address) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync(queue: string.Empty, durable: false, exclusive: true, autoDelete: true);
        await channel.BasicPublishAsync(string.Empty, queue.QueueName, "hello"u8.ToArray());

        BasicGetResult? got = null;
        for (var i = 0; i < 50 && got is null; i++)
        {
            got = await channel.BasicGetAsync(queue.QueueName, autoAck: true);
            if (got is null)
            {
                await Task.Delay(20);
            }
        }

        Assert.NotNull(got);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(got.Body.Span));
    }
}

[Collection(DbusCollection.Name)]
public sealed class DbusServerTests(DbusServer server)
{
    [Fact]
    public async Task Lists_names_on_the_private_bus()
    {
        using var connection = new DBusConnection(server.Address);
        await connection.ConnectAsync();
        var names = await connection.ListServicesAsync();
        Assert.Contains("org.freedesktop.DBus", names);
    }
}
