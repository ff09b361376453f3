using AiSandbox.ServiceBootstrap.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiSandbox.ServiceBootstrap.Tests.Catalog;

public sealed class OptionsTests
{
    private static SupervisorOptions Load(Dictionary<string, string?> config, Dictionary<string, string?>? env = null) =>
        SupervisorConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(config).Build(), name => env?.GetValueOrDefault(name));

    [Fact]
    public void Defaults_match_the_image_and_are_valid()
    {
        var options = Load([]);
        var catalog = new ServiceCatalog(options);

        Assert.Equal(["postgresql", "lavinmq", "redis", "bundle"], catalog.AllNames);
        Assert.All(catalog.Services, s => Assert.True(s.Enabled));
        Assert.Equal(["ai-postgresql.service", "lavinmq.service", "redis-server.service"], catalog.Services.Select(s => s.Unit));
        Assert.Equal("unix:path=/run/dbus/system_bus_socket", options.BusAddress);
        Assert.Equal("/app/Gemfile", options.Bundle.Gemfile);
        Assert.Equal("/bundle/.install.lock", options.Bundle.LockPath);
    }

    [Fact]
    public void AI_SERVICES_wins_over_configuration_and_none_enables_nothing()
    {
        var some = new ServiceCatalog(Load(new() { ["Supervisor:Services"] = "postgresql" }, new() { ["AI_SERVICES"] = "redis, lavinmq" }));
        Assert.Equal(["lavinmq", "redis"], some.Services.Where(s => s.Enabled).Select(s => s.Name));

        var none = new ServiceCatalog(Load([], new() { ["AI_SERVICES"] = "none" }));
        Assert.DoesNotContain(none.Services, s => s.Enabled);
    }

    [Fact]
    public void The_amqp_unit_is_configurable()
    {
        var options = Load(new() { ["Supervisor:Lavinmq:Unit"] = "rabbitmq-server.service", ["Supervisor:Lavinmq:DeadlineSeconds"] = "90" });
        var amqp = new ServiceCatalog(options).Find("lavinmq")!;
        Assert.Equal("rabbitmq-server.service", amqp.Unit);
        Assert.Equal(TimeSpan.FromSeconds(90), amqp.Deadline);
    }

    [Theory]
    [InlineData("AI_SERVICES", "postgres,mysql", "unknown service \"mysql\"")]
    [InlineData("Supervisor:Redis:Unit", "redis", "Supervisor:Redis:Unit must name a .service unit")]
    [InlineData("Supervisor:Redis:Address", "localhost", "Supervisor:Redis:Address is not valid")]
    [InlineData("Supervisor:Lavinmq:Address", "http://x/", "Supervisor:Lavinmq:Address is not valid")]
    [InlineData("Supervisor:Postgresql:DeadlineSeconds", "0", "Supervisor:Postgresql:DeadlineSeconds must be > 0")]
    public void A_bad_value_fails_at_start_naming_the_key(string key, string value, string expected)
    {
        var env = key == "AI_SERVICES" ? new Dictionary<string, string?> { [key] = value } : null;
        var config = key == "AI_SERVICES" ? new Dictionary<string, string?>() : new() { [key] = value };
        var e = Assert.Throws<OptionsValidationException>(() => Load(config, env));
        Assert.Contains(e.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }
}
