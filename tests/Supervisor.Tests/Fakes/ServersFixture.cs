using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// What is expensive to set up once per collection: a PostgreSQL data directory (initdb, ~0.5 s)
/// and a RabbitMQ broker (~4 s to boot), isolated as scripts/test-servers does (own node name,
/// AMQP, distribution and epmd ports, data in a scratch directory). Missing binaries fail loudly.
/// </summary>
public sealed class ServersFixture : IAsyncLifetime
{
    public const string PgBin = "/usr/lib/postgresql/15/bin";
    private readonly List<Process> _processes = [];
    private Task<bool>? _amqpReady;

    public string Root { get; } = Directory.CreateTempSubdirectory("aisandbox-sup-").FullName;

    public string PgData => System.IO.Path.Combine(Root, "pg", "data");

    public int AmqpPort { get; private set; }

    public string AmqpUri => $"amqp://guest:guest@127.0.0.1:{AmqpPort}/";

    public Task<bool> AmqpReady => _amqpReady ?? Task.FromResult(false);

    public async Task InitializeAsync()
    {
        File.SetUnixFileMode(Root, (UnixFileMode)0x1ED);
        AmqpPort = FreePort();
        _amqpReady = StartRabbitAsync();

        var pgDir = System.IO.Path.Combine(Root, "pg");
        Directory.CreateDirectory(pgDir);
        var chown = await Run.ProcessAsync("chown", ["postgres:postgres", pgDir]);
        Assert.True(chown.ExitCode == 0, chown.ToString());
        var initdb = await Run.ProcessAsync("setpriv",
            ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", PgBin + "/initdb", "-D", PgData, "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
        Assert.True(initdb.ExitCode == 0, "initdb failed (is postgresql-15 installed? scripts/install-deps)\n" + initdb);
    }

    /// <summary>
    /// A PostgreSQL server on <paramref name="port"/> over a copy of the initdb'd directory (a copy takes
    /// milliseconds, initdb half a second), so no test inherits another's server or lock file.
    /// </summary>
    public async Task<(string File, string[] Args)> PostgresAsync(string dir, int port)
    {
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ED);
        var data = System.IO.Path.Combine(dir, "pgdata");
        var copy = await Run.ProcessAsync("cp", ["-a", PgData, data]);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        return ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", PgBin + "/postgres", "-D", data,
            "-c", "listen_addresses=127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "unix_socket_directories=" + data, "-c", "fsync=off"]);
    }

    public static (string File, string[] Args) Redis(int port) =>
        ("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes.AsEnumerable().Reverse())
        {
            if (!p.HasExited)
            {
                _ = Signals.Kill(-p.Id, Signals.SIGTERM);
                _ = Signals.Kill(p.Id, Signals.SIGTERM);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await p.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _ = Signals.Kill(-p.Id, Signals.SIGKILL);
                    p.Kill(entireProcessTree: true);
                }
            }

            p.Dispose();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public const string RabbitServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>An isolated broker's environment: node name, AMQP/distribution/epmd ports, data under <paramref name="rq"/>.</summary>
    public static async Task<Dictionary<string, string?>> RabbitEnvironmentAsync(string rq, int amqpPort, int epmdPort)
    {
        if (!File.Exists(RabbitServer))
        {
            throw new InvalidOperationException($"{RabbitServer} is missing: install rabbitmq-server (scripts/install-deps)");
        }

        Directory.CreateDirectory(System.IO.Path.Combine(rq, "mnesia"));
        Directory.CreateDirectory(System.IO.Path.Combine(rq, "log"));
        await File.WriteAllTextAsync(System.IO.Path.Combine(rq, "enabled_plugins"), "[].");
        await File.WriteAllTextAsync(System.IO.Path.Combine(rq, "rabbitmq-env.conf"), string.Empty);
        await File.WriteAllTextAsync(System.IO.Path.Combine(rq, "rabbitmq.conf"), $"listeners.tcp.default = 127.0.0.1:{amqpPort}\n");
        return new Dictionary<string, string?>
        {
            ["HOME"] = rq,
            ["RABBITMQ_NODENAME"] = $"aisandbox-sup-{amqpPort}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = $"{amqpPort}",
            ["RABBITMQ_DIST_PORT"] = $"{FreePort()}",
            ["ERL_EPMD_PORT"] = $"{epmdPort}",
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = System.IO.Path.Combine(rq, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = System.IO.Path.Combine(rq, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = System.IO.Path.Combine(rq, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = System.IO.Path.Combine(rq, "rabbitmq.conf"),
            ["RABBITMQ_CONF_ENV_FILE"] = System.IO.Path.Combine(rq, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = System.IO.Path.Combine(rq, "pid"),
        };
    }

    private async Task<bool> StartRabbitAsync()
    {
        const string server = RabbitServer;

        int epmdPort = FreePort();
        var epmd = Process.Start(Run.Start("epmd", ["-port", $"{epmdPort}", "-address", "127.0.0.1"]))!;
        _processes.Add(epmd);
        var env = await RabbitEnvironmentAsync(System.IO.Path.Combine(Root, "rabbitmq"), AmqpPort, epmdPort);
        // setsid: the broker is a process tree (erl, beam, …); its own session lets us stop all of it.
        var broker = Process.Start(Run.Start("setsid", [server], env))!;
        broker.StandardInput.Close();
        _ = broker.StandardOutput.ReadToEndAsync();
        _ = broker.StandardError.ReadToEndAsync();
        _processes.Add(broker);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (broker.HasExited)
            {
                return false;
            }

            if (await ProcessUnit.PortOpenAsync(AmqpPort))
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }
}

[CollectionDefinition(Name)]
public sealed class SupervisorCollection : ICollectionFixture<ServersFixture>
{
    public const string Name = "supervisor-with-servers";
}
