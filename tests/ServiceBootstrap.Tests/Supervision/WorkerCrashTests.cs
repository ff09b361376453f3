using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Probes;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Supervision;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AiSandbox.ServiceBootstrap.Tests.Supervision;

/// <summary>A supervisor worker that throws: its service ends failed with the reason, never "starting" forever.</summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task A_worker_that_throws_leaves_its_service_failed_with_the_reason_and_the_others_served()
    {
        var options = SupervisorConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection([]).Build(),
            name => name == "AI_SERVICES" ? "redis,postgresql" : null);
        var logs = new List<string>();
        await using var supervisor = new ServiceSupervisor(new ServiceCatalog(options), TimeProvider.System, new ListLogger(logs),
            probes: entry => entry.Name == "redis" ? throw new InvalidOperationException("probe setup broke") : new AcceptingProbe());

        await supervisor.AttachAsync(systemd: null);
        var snapshot = await supervisor.Board.WaitSettledAsync(TimeSpan.FromSeconds(30), CancellationToken.None, everyEntry: true);

        var redis = snapshot.Services["redis"];
        Assert.Equal(EntryStates.Failed, redis.State);
        Assert.Equal("supervisor worker crashed: InvalidOperationException: probe setup broke", redis.Detail);
        Assert.Equal(EntryStates.Ready, snapshot.Services["postgresql"].State);
        Assert.Equal(OverallStates.Degraded, snapshot.State);
        lock (logs)
        {
            Assert.Contains(logs, l => l.Contains("worker crashed", StringComparison.Ordinal));
        }
    }

    private sealed class AcceptingProbe : IReadinessProbe
    {
        public Task ProbeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add(formatter(state, exception));
            }
        }
    }
}
