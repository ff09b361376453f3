using System.Net;
using System.Net.Sockets;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Probes;
using AiSandbox.ServiceBootstrap.Tests.Servers;
using AiSandbox.TestSupport.Servers;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.ServiceBootstrap.Tests.Probes;

internal static class Attempt
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static async Task<ProbeOutcome> UntilAsync(IReadinessProbe probe, double deadlineSeconds)
    {
        var loop = new ProbeLoop(new ProbeOptions(), TimeProvider.System);
        return await loop.RunAsync(probe, TimeProvider.System.GetTimestamp(), TimeSpan.FromSeconds(deadlineSeconds), CancellationToken.None);
    }

    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresProbeTests(PostgresServer server)
{
    [Fact]
    public async Task Succeeds_against_a_real_server()
    {
        await using var probe = new PostgresProbe(server.Address, Attempt.Timeout);
        await probe.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Fails_with_the_clients_reason_at_the_deadline_when_nothing_listens()
    {
        await using var probe = new PostgresProbe($"Host=127.0.0.1;Port={Attempt.ClosedPort()};Username=postgres", Attempt.Timeout);
        var outcome = await Attempt.UntilAsync(probe, 3);
        Assert.False(outcome.Ready);
        Assert.StartsWith("deadline 3s exceeded: ", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("refused", outcome.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.True(outcome.Attempts > 3, "retries quickly at first");
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisProbeTests(RedisServer server)
{
    [Fact]
    public async Task Succeeds_against_a_real_server()
    {
        var outcome = await Attempt.UntilAsync(new RedisProbe(server.Address, Attempt.Timeout), 5);
        Assert.True(outcome.Ready, outcome.Detail);
    }

    [Fact]
    public void Rejects_an_address_without_a_port() =>
        Assert.Throws<FormatException>(() => RedisProbe.ParseEndpoint("localhost"));
}

[Collection(AmqpCollection.Name)]
public sealed class AmqpProbeTests(AmqpServer server)
{
    [Fact]
    public async Task Succeeds_against_a_real_broker()
    {
        var outcome = await Attempt.UntilAsync(new AmqpProbe(server.Address, Attempt.Timeout), 10);
        Assert.True(outcome.Ready, outcome.Detail);
    }
}

public sealed class SilentServerTests
{
    [Fact]
    public async Task A_server_that_accepts_but_never_answers_ends_at_the_deadline_not_later()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await using var probe = new PostgresProbe($"Host=127.0.0.1;Port={port};Username=postgres", Attempt.Timeout);
        var outcome = await Attempt.UntilAsync(probe, 1.5);

        Assert.False(outcome.Ready);
        Assert.Contains("deadline 1.5s exceeded: no answer within", outcome.Detail, StringComparison.Ordinal);
        // Not before the deadline; the upper bound only says "does not hang" (figures live in bench/).
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.4, 60);
    }
}

public sealed class ProbeLoopTests
{
    /// <summary>Refuses once, then hangs: the deadline cuts the second attempt short.</summary>
    private sealed class RefusesThenHangs : IReadinessProbe
    {
        private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        /// <summary>Completes when the second attempt has begun (its time bound is set by then).</summary>
        public Task SecondAttempt => _second.Task;

        public Task ProbeAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }

            _second.TrySetResult();
            return Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    [Fact]
    public async Task An_attempt_cut_short_by_the_deadline_keeps_the_reason_before_it()
    {
        // On a fake clock: the attempt's bound runs on the time provider, so no real time has to pass.
        var time = new FakeTimeProvider();
        var probe = new RefusesThenHangs();
        var run = new ProbeLoop(new ProbeOptions(), time).RunAsync(probe, time.GetTimestamp(), TimeSpan.FromSeconds(0.3), CancellationToken.None);

        time.Advance(TimeSpan.FromMilliseconds(new ProbeOptions().InitialDelayMilliseconds));
        await probe.SecondAttempt.WaitAsync(TimeSpan.FromSeconds(60));
        time.Advance(TimeSpan.FromSeconds(0.3));
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(outcome.Ready);
        Assert.Equal(2, outcome.Attempts);
        Assert.StartsWith("deadline 0.3s exceeded: ", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("refused", outcome.Detail, StringComparison.OrdinalIgnoreCase);
    }
}
