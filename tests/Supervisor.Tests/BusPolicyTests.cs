using AiSandbox.Supervisor.Tests.Fakes;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests;

/// <summary>
/// The published ai-supervisor on a private bus that enforces the system bus's policy with the repo's
/// units/org.aisandbox.Supervisor1.conf, called by dbus-send as root and, through setpriv, as nobody.
/// </summary>
public sealed class BusPolicyTests : IAsyncLifetime, IDisposable
{
    private const string Nobody = "65534";
    private const string Dest = "--dest=org.aisandbox.Supervisor1";
    private const string ObjectPath = "/org/aisandbox/Supervisor1";

    private PrivateBus? _bus;
    private FakeSystemd? _systemd;
    private SupervisorProcess? _supervisor;
    private readonly TempDir _dir = new("aisandbox-policy-");

    public async Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root",
            "these tests own org.aisandbox.Supervisor1, which the policy gives to root only: run them as root");
        _bus = await PrivateBus.StartAsync("test-system-bus.conf");
        // The bus's scratch dir is 0700; nobody must reach the socket in it to be refused by the policy, not by the file system.
        File.SetUnixFileMode(Path.GetDirectoryName(_bus.SocketPath)!, (UnixFileMode)0b111_101_101);
        _systemd = new FakeSystemd(_bus.Address);
        await _systemd.StartAsync();
        _supervisor = await SupervisorProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DBUS_SYSTEM_BUS_ADDRESS"] = _bus.Address,
            ["AI_SERVICES"] = "none",
            ["AI_SUPERVISOR_CONFIG"] = _dir["none.json"],
        }, _bus.Address);
    }

    public async Task DisposeAsync()
    {
        if (_supervisor is not null)
        {
            await _supervisor.DisposeAsync();
        }

        if (_systemd is not null)
        {
            await _systemd.DisposeAsync();
        }

        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    // xunit 2 calls both: the processes stop in DisposeAsync, the scratch dir goes here.
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Restart_is_refused_by_the_bus_for_an_unprivileged_caller_and_reaches_the_supervisor_for_root()
    {
        var asNobody = await CallAsync(asNobody: true, "org.aisandbox.Supervisor1.Restart", "string:nosuch");
        Assert.True(asNobody.ExitCode != 0, asNobody.ToString());
        Assert.Contains("org.freedesktop.DBus.Error.AccessDenied", asNobody.Stderr);

        // Without an interface field (the supervisor serves such calls) the rules must not let it pass either.
        Assert.Equal("org.freedesktop.DBus.Error.AccessDenied",
            await BareMethodCall.CallAsync(_bus!.SocketPath, int.Parse(Nobody, System.Globalization.CultureInfo.InvariantCulture), "org.aisandbox.Supervisor1", ObjectPath, "Restart", "nosuch"));
        Assert.Equal("org.aisandbox.Supervisor1.Error.UnknownService",
            await BareMethodCall.CallAsync(_bus.SocketPath, 0, "org.aisandbox.Supervisor1", ObjectPath, "Restart", "nosuch"));

        // Root gets through to the supervisor, which answers for the unknown name itself.
        var asRoot = await CallAsync(asNobody: false, "org.aisandbox.Supervisor1.Restart", "string:nosuch");
        Assert.Contains("org.aisandbox.Supervisor1.Error.UnknownService", asRoot.Stderr);
        Assert.DoesNotContain("AccessDenied", asRoot.Stderr);
    }

    [Fact]
    public async Task An_unprivileged_caller_still_waits_reads_properties_and_introspects()
    {
        var wait = await CallAsync(asNobody: true, "org.aisandbox.Supervisor1.WaitReady", "uint32:1000");
        Assert.True(wait.ExitCode == 0, wait.ToString());
        Assert.Contains("string \"ready\"", wait.Stdout);

        var state = await CallAsync(asNobody: true, "org.freedesktop.DBus.Properties.Get", "string:org.aisandbox.Supervisor1", "string:State");
        Assert.True(state.ExitCode == 0, state.ToString());
        Assert.Contains("ready", state.Stdout);

        var all = await CallAsync(asNobody: true, "org.freedesktop.DBus.Properties.GetAll", "string:org.aisandbox.Supervisor1");
        Assert.True(all.ExitCode == 0, all.ToString());

        var xml = await CallAsync(asNobody: true, "org.freedesktop.DBus.Introspectable.Introspect");
        Assert.True(xml.ExitCode == 0, xml.ToString());
        Assert.Contains("WaitReady", xml.Stdout);
    }

    [Fact]
    public async Task WaitReady_refuses_a_timeout_above_one_hour_naming_the_argument()
    {
        // uint32 max: 49.7 days.
        var huge = await CallAsync(asNobody: true, "org.aisandbox.Supervisor1.WaitReady", "uint32:4294967295");
        Assert.True(huge.ExitCode != 0, huge.ToString());
        Assert.Contains("org.freedesktop.DBus.Error.InvalidArgs", huge.Stderr);
        Assert.Contains("timeout_ms 4294967295", huge.Stderr);

        var justAbove = await CallAsync(asNobody: false, "org.aisandbox.Supervisor1.WaitReady", "uint32:3600001");
        Assert.Contains("org.freedesktop.DBus.Error.InvalidArgs", justAbove.Stderr);

        var hour = await CallAsync(asNobody: false, "org.aisandbox.Supervisor1.WaitReady", "uint32:3600000");
        Assert.True(hour.ExitCode == 0, hour.ToString());
        Assert.Contains("string \"ready\"", hour.Stdout);
    }

    private Dictionary<string, string?> BusEnv() => new() { ["DBUS_SYSTEM_BUS_ADDRESS"] = _bus!.Address };

    private Task<ProcessResult> CallAsync(bool asNobody, string method, params string[] args)
    {
        string[] send = ["dbus-send", "--system", "--print-reply", Dest, ObjectPath, method, .. args];
        return asNobody
            ? Run.ProcessAsync("setpriv", ["--reuid=" + Nobody, "--regid=" + Nobody, "--clear-groups", .. send], BusEnv())
            : Run.ProcessAsync(send[0], send[1..], BusEnv());
    }
}
