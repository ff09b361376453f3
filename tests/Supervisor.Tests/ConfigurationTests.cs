using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task A_bad_catalog_stops_the_supervisor_at_start_naming_the_key()
    {
        using var dir = new TempDir();
        var result = await Run.CommandAsync("ai-supervisor", [], new Dictionary<string, string?>
        {
            ["AI_SERVICES"] = "postgresql,mysql",
            ["AI_SUPERVISOR_CONFIG"] = dir["none.json"],
            ["Supervisor__Redis__Unit"] = "redis",
            ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + dir["no-bus.sock"],
        }, timeout: TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 1, result.ToString());
        var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains("msg=\"invalid configuration\"", fatal, StringComparison.Ordinal);
        Assert.Contains("unknown service \\\"mysql\\\"", fatal, StringComparison.Ordinal);
        Assert.Contains("Supervisor:Redis:Unit must name a .service unit", fatal, StringComparison.Ordinal);
    }
}
