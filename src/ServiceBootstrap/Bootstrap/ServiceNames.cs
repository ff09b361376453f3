namespace AiSandbox.ServiceBootstrap;

/// <summary>The names users and configuration use for the sandbox's services.</summary>
public static class ServiceNames
{
    public const string PostgreSql = "postgresql";
    public const string Amqp = "lavinmq";
    public const string Redis = "redis";

    public static readonly IReadOnlyList<string> All = [PostgreSql, Amqp, Redis];
}
