using AiSandbox.ServiceBootstrap.Probes;

namespace AiSandbox.Supervisor.Tests.InProcess;

/// <summary>
/// A probe whose answer the test sets: accept, refuse (as a server that is down), or hang (as one that
/// accepts TCP and never answers). Counts its attempts so a test can wait for the next one.
/// </summary>
internal sealed class ScriptedProbe : IReadinessProbe
{
    private int _attempts;

    public Func<CancellationToken, Task> Answer { get; set; } = Accept;

    public int Attempts => Volatile.Read(ref _attempts);

    public static Task Accept(CancellationToken cancellationToken) => Task.CompletedTask;

    public static Task Refuse(CancellationToken cancellationToken) =>
        Task.FromException(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));

    public static Task Hang(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    public Task ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        return Answer(cancellationToken);
    }
}
