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

    /// <summary>A catalog file that is not JSON is named in one fatal line by every command that reads it.</summary>
    [Theory]
    [InlineData("ai-supervisor", new string[0], "invalid configuration")]
    [InlineData("ai-supervisor-generator", new[] { "/nonexistent/normal" }, "invalid configuration, no service moved to early boot")]
    [InlineData("s", new string[0], "invalid configuration")]
    public async Task A_catalog_file_that_is_not_json_is_named_not_thrown(string command, string[] args, string message)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["appsettings.json"], "{ \"Supervisor\": \n");
        var result = await Run.CommandAsync(command, args, new Dictionary<string, string?>
        {
            ["AI_SUPERVISOR_CONFIG"] = dir["appsettings.json"],
            ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + dir["no-bus.sock"],
        }, timeout: TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 1, result.ToString());
        var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains($"msg=\"{message}\"", fatal, StringComparison.Ordinal);
        Assert.Contains($"{dir["appsettings.json"]} is not valid JSON (line ", fatal, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }
}
