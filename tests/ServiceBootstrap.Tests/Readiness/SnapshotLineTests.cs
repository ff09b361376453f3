using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.ServiceBootstrap.Tests.Readiness;

public sealed class SnapshotLineTests
{
    [Fact]
    public void A_snapshot_survives_the_line_with_tabs_and_line_breaks_in_a_detail_flattened()
    {
        var snapshot = new ReadinessSnapshot("degraded", new Dictionary<string, ServiceStatus>
        {
            ["postgresql"] = new("failed", "connection refused\n\tat 127.0.0.1:5432", 1.25),
            ["redis"] = new("ready", "accepting work", 0.031),
            ["bundle"] = new("skipped", "", 0),
        });

        var line = SnapshotLine.Format(snapshot);
        var back = SnapshotLine.Parse(line);

        Assert.DoesNotContain('\n', line);
        Assert.Equal("degraded", back.State);
        Assert.Equal(["postgresql", "redis", "bundle"], back.Services.Keys);
        Assert.Equal(new ServiceStatus("failed", "connection refused  at 127.0.0.1:5432", 1.25), back.Services["postgresql"]);
        Assert.Equal(new ServiceStatus("ready", "accepting work", 0.031), back.Services["redis"]);
        Assert.Equal(new ServiceStatus("skipped", "", 0), back.Services["bundle"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ready\tredis\tready")]
    [InlineData("ready\tredis\tready\tsoon\tdetail")]
    public void A_line_it_did_not_write_is_a_format_error(string line) =>
        Assert.Throws<FormatException>(() => SnapshotLine.Parse(line));
}
