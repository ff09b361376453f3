namespace AiSandbox.TestSupport.Servers;

/// <summary>An AMQP 0-9-1 broker (RabbitMQ here; LavinMQ in the image); AISANDBOX_TEST_AMQP holds an amqp:// URI.</summary>
public sealed class AmqpServer() : ServerFixture("AISANDBOX_TEST_AMQP", "AMQP 0-9-1 broker (RabbitMQ)")
{
    protected override Task CheckReachableAsync(string address, CancellationToken cancellationToken)
    {
        var uri = new Uri(address);
        return ConnectTcpAsync(uri.Host, uri.Port > 0 ? uri.Port : 5672, cancellationToken);
    }
}
