using System.Net.Sockets;
using Xunit;

namespace AiSandbox.TestSupport.Servers;

/// <summary>
/// A server the test command started (or the developer points at) and hands over in an environment
/// variable. If the variable is missing or nothing answers there, every test using the fixture fails
/// with a message naming both: a missing dependency is never a skip and never a pass.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    protected ServerFixture(string variable, string server)
    {
        Variable = variable;
        Server = server;
    }

    public string Variable { get; }

    public string Server { get; }

    /// <summary>The value of <see cref="Variable"/>: a connection string or address.</summary>
    public string Address { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set: these tests need a running {Server}. Run ./test, which starts one, or set {Variable}.");
        }

        Address = value;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await CheckReachableAsync(value, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            throw new InvalidOperationException($"{Server} at {Variable}={value} is not reachable: {e.Message}", e);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task CheckReachableAsync(string address, CancellationToken cancellationToken);

    protected static async Task ConnectTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken);
    }
}
