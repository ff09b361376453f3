using AiSandbox.TestSupport.Servers;

namespace AiSandbox.ServiceBootstrap.Tests.Servers;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}

[CollectionDefinition(Name)]
public sealed class AmqpCollection : ICollectionFixture<AmqpServer>
{
    public const string Name = "amqp";
}

[CollectionDefinition(Name)]
public sealed class DbusCollection : ICollectionFixture<DbusServer>
{
    public const string Name = "dbus";
}
