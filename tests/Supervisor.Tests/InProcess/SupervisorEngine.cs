using AiSandbox.Common.Systemd;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.ServiceBootstrap.Supervision;
using AiSandbox.Supervisor.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor.Tests.InProcess;

/// <summary>
/// ai-supervisor's engine in the test process: the <see cref="SupervisorService"/> on a private
/// dbus-daemon with the test systemd, a fake clock and scripted probes. The test turns the loop itself
/// (<see cref="StepAsync"/>) and moves time (<see cref="AdvanceUntilAsync"/>), so no test waits for a
/// real deadline; a client connection sees what any client of the bus sees.
/// </summary>
internal sealed class SupervisorEngine : IAsyncDisposable
{
    /// <summary>Only against a hang: every wait below ends on an event long before.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private SupervisorEngine(PrivateBus bus, FakeSystemd systemd, SupervisorService service, FakeTimeProvider time,
        RecordingNotifier notifier, Dictionary<string, ScriptedProbe> probes, DBusConnection client)
    {
        Bus = bus;
        Systemd = systemd;
        Service = service;
        Time = time;
        Notifier = notifier;
        Probes = probes;
        Client = client;
    }

    public PrivateBus Bus { get; }

    public FakeSystemd Systemd { get; }

    public SupervisorService Service { get; }

    public FakeTimeProvider Time { get; }

    public RecordingNotifier Notifier { get; }

    public IReadOnlyDictionary<string, ScriptedProbe> Probes { get; }

    /// <summary>A client of the bus, as s, c or systemctl would be.</summary>
    public DBusConnection Client { get; }

    public ReadinessBoard Board => Service.Supervisor.Board;

    /// <param name="services">AI_SERVICES.</param>
    /// <param name="watchdog">WATCHDOG_USEC as a time span; null: no watchdog.</param>
    public static async Task<SupervisorEngine> StartAsync(string services, TimeSpan? watchdog = null)
    {
        var bus = await PrivateBus.StartAsync();
        var systemd = new FakeSystemd(bus.Address,
            new InstantUnit(Sandbox.PgUnit), new InstantUnit(Sandbox.AmqpUnit), new InstantUnit(Sandbox.RedisUnit));
        await systemd.StartAsync();
        var dir = new TestSupport.TempDir("aisandbox-engine-");
        var options = SupervisorConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Supervisor:Postgresql:Unit"] = Sandbox.PgUnit,
            ["Supervisor:Lavinmq:Unit"] = Sandbox.AmqpUnit,
            ["Supervisor:Redis:Unit"] = Sandbox.RedisUnit,
            ["Supervisor:Bundle:Gemfile"] = dir["Gemfile"],
            ["Supervisor:Bundle:LockPath"] = dir["bundle.lock"],
        }).Build(), name => name switch
        {
            "AI_SERVICES" => services,
            "DBUS_SYSTEM_BUS_ADDRESS" => bus.Address,
            _ => null,
        });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var notifier = new RecordingNotifier();
        var probes = new Dictionary<string, ScriptedProbe>(StringComparer.Ordinal)
        {
            ["postgresql"] = new(),
            ["lavinmq"] = new(),
            ["redis"] = new(),
        };
        var service = new SupervisorService(options, notifier, time, NullLoggerFactory.Instance,
            new Watchdog(watchdog, () => notifier.Notify(new ServiceState("WATCHDOG=1")), time), entry => probes[entry.Name]);
        var client = new DBusConnection(bus.Address);
        await client.ConnectAsync();
        dir.Dispose();
        return new SupervisorEngine(bus, systemd, service, time, notifier, probes, client);
    }

    /// <summary>One turn of the supervisor's loop.</summary>
    public Task<TimeSpan> StepAsync() => Service.StepAsync(CancellationToken.None).WaitAsync(Guard);

    /// <summary>The board as soon as every entry has settled (no fake time passes).</summary>
    public Task<ReadinessSnapshot> SettledAsync() =>
        AdvanceUntilAsync(s => s.AllSettled, TimeSpan.Zero);

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> at a time until the board satisfies
    /// <paramref name="done"/>; returns that board. Between steps the supervisor's workers get to run.
    /// </summary>
    public async Task<ReadinessSnapshot> AdvanceUntilAsync(Func<ReadinessSnapshot, bool> done, TimeSpan step)
    {
        var reached = new TaskCompletionSource<ReadinessSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(BoardChange change)
        {
            if (done(change.Snapshot))
            {
                reached.TrySetResult(change.Snapshot);
            }
        }

        Board.Changed += OnChanged;
        try
        {
            if (Board.Snapshot() is var now && done(now))
            {
                return now;
            }

            using var guard = new CancellationTokenSource(Guard);
            while (!reached.Task.IsCompleted && !guard.IsCancellationRequested)
            {
                Time.Advance(step);
                await Task.WhenAny(reached.Task, Task.Delay(1, guard.Token));
            }

            return await reached.Task.WaitAsync(Guard);
        }
        finally
        {
            Board.Changed -= OnChanged;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await Service.StopAsync(CancellationToken.None);
        }
        finally
        {
            try
            {
                await Systemd.DisposeAsync();
            }
            finally
            {
                await Bus.DisposeAsync();
            }
        }
    }
}
