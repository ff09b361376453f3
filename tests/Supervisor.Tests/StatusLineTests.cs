using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Supervisor.Tests;

public sealed class StatusLineTests
{
    [Fact]
    public void One_line_in_catalog_order_with_durations()
    {
        var snapshot = new ReadinessSnapshot("starting", new Dictionary<string, ServiceStatus>
        {
            ["postgresql"] = new("ready", "accepting work", 0.214),
            ["lavinmq"] = new("starting", "probing", 1.2),
            ["redis"] = new("ready", "accepting work", 0.031),
            ["bundle"] = new("skipped", "no /app/Gemfile", 0),
        });

        Assert.Equal("postgresql ready 0.21s · lavinmq starting 1.20s · redis ready 0.03s · bundle skipped", StatusPublisher.StatusLine(snapshot));
    }
}
