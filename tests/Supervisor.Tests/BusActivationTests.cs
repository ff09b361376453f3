using AiSandbox.ServiceBootstrap.Readiness;
using AiSandbox.Supervisor.Tests.Fakes;
using AiSandbox.TestSupport;
using Tmds.DBus.Protocol;

namespace AiSandbox.Supervisor.Tests;

/// <summary>
/// The image makes org.aisandbox.Supervisor1 bus-activatable, so the console's launcher may ask before the
/// supervisor has taken its name: the bus holds the call until it has. Here the bus activates the published
/// ai-supervisor itself (a private bus runs a service file's Exec; the system bus has systemd do it).
/// </summary>
[Collection(SupervisorCollection.Name)]
public sealed class BusActivationTests(ServersFixture servers) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly TempDir _services = new("aisandbox-bus-services-");

    public void Dispose() => _services.Dispose();

    private void ServiceFile(string exec) =>
        File.WriteAllText(_services["org.aisandbox.Supervisor1.service"],
            $"[D-BUS Service]\nName={SupervisorBus.Name}\nExec={exec}\nUser=root\n");

    [Fact]
    public async Task A_readiness_call_before_the_supervisor_runs_is_held_until_it_answers()
    {
        await using var sandbox = await Sandbox.CreateAsync(servers, services: "postgresql,redis", serviceDir: _services.Path);
        var script = _services["ai-supervisor.sh"];
        var pidFile = _services["ai-supervisor.pid"];
        File.WriteAllText(script, $"#!/bin/sh\necho $$ >'{pidFile}'\n"
            + string.Concat(sandbox.Env.Where(e => e.Value is not null).Select(e => $"export {e.Key}='{e.Value!.Replace("'", "'\\''", StringComparison.Ordinal)}'\n"))
            + $"exec '{RepoPaths.Binary("ai-supervisor")}'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ServiceFile(script);
        using var connection = new DBusConnection(sandbox.Bus.Address);
        await connection.ConnectAsync();
        Assert.DoesNotContain(SupervisorBus.Name, await connection.ListServicesAsync());

        try
        {
            var answer = await new SupervisorReadiness(sandbox.Bus.Address, TimeProvider.System).TryWaitAsync(Wait, null, start: false, CancellationToken.None);

            Assert.NotNull(answer);
            Assert.Equal("ready", answer.Services["postgresql"].State);
            Assert.Equal("ready", answer.Services["redis"].State);
        }
        finally
        {
            // The bus started it (the script execs it under its own pid), so the test ends it.
            if (File.Exists(pidFile))
            {
                _ = Signals.Kill(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture), Signals.SIGTERM);
            }
        }
    }

    [Fact]
    public async Task A_supervisor_the_bus_cannot_start_counts_as_none()
    {
        await using var bus = await PrivateBus.StartAsync(serviceDir: _services.Path);
        ServiceFile("/bin/false");

        var answer = await new SupervisorReadiness(bus.Address, TimeProvider.System).TryWaitAsync(Wait, null, start: false, CancellationToken.None);

        Assert.Null(answer);
    }
}
