using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary>podman info's answer kept between launches of the published ai, and asked again whenever it may be stale.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class PodmanInfoCacheTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private string CacheFile => Path.Combine(_s.Home, ".cache", "aisandbox", "podman-info");

    private async Task<IReadOnlyList<string>> LaunchAsync()
    {
        File.Delete(_s.PodmanLog);
        var result = await _s.PublishedAsync([]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. _s.Calls.Select(c => c.Command)];
    }

    [Fact]
    public async Task The_second_launch_starts_the_sandbox_without_asking_podman_info()
    {
        Assert.Contains("info", await LaunchAsync());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CacheFile));

        var second = await LaunchAsync();
        Assert.DoesNotContain("info", second);
        Assert.Contains("run", second);
    }

    [Fact]
    public async Task A_changed_containers_conf_or_connection_asks_again()
    {
        var conf = Path.Combine(_s.Home, ".config", "containers", "containers.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(conf)!);
        await File.WriteAllTextAsync(conf, "[engine]\n");
        Assert.Contains("info", await LaunchAsync());
        Assert.DoesNotContain("info", await LaunchAsync());

        await File.WriteAllTextAsync(conf, "[engine]\nruntime = \"runc\"\n");
        Assert.Contains("info", await LaunchAsync());

        _s.Env["CONTAINER_HOST"] = "unix:///run/podman/podman.sock";
        Assert.Contains("info", await LaunchAsync());
        Assert.DoesNotContain("info", await LaunchAsync());
    }

    [Fact]
    public async Task A_sandbox_podman_could_not_start_forgets_the_answer()
    {
        await LaunchAsync();
        Assert.True(File.Exists(CacheFile));

        _s.Env["FAKE_PODMAN_EXIT"] = "126";
        var failed = await _s.PublishedAsync([]);
        Assert.Equal(126, failed.ExitCode);
        Assert.False(File.Exists(CacheFile));
    }

    [Fact]
    public async Task AI_PODMAN_INFO_CACHE_0_asks_every_time_and_keeps_nothing()
    {
        _s.Env["AI_PODMAN_INFO_CACHE"] = "0";
        Assert.Contains("info", await LaunchAsync());
        Assert.Contains("info", await LaunchAsync());
        Assert.False(File.Exists(CacheFile));
    }
}
