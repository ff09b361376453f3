using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// AI_HOST_REFRESH: the refresh before a launch runs in-process on the host, or through the image
/// (<c>podman run --rm … refresh-tokens --once</c>) where the host's flock cannot reach the containers'.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class HostRefreshModeTests(FakePodmanBinary podman) : IDisposable
{
    private const string Remote = """{"host":{"security":{"rootless":false},"serviceIsRemote":true},"version":{"Version":"5.2.0"}}""";

    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private List<IReadOnlyList<string>> Runs => _s.Calls.Where(c => c.Command == "run").Select(c => c.Args).ToList();

    private async Task LaunchAsync()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        var result = await _s.InProcessAsync(["work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Container_mode_runs_refresh_tokens_once_in_the_image_before_the_sandbox()
    {
        _s.Env["AI_HOST_REFRESH"] = "container";
        _s.Env["AI_IMAGE"] = "localhost/ai:test";
        _s.Env["CLAUDE_OAUTH_TOKEN_URL"] = "http://127.0.0.1:9/v1/oauth/token";
        await LaunchAsync();
        var runs = Runs;
        Assert.Equal(2, runs.Count);
        Assert.Equal(
            ["run", "--rm", "--pull=never",
             "--env", "CREDENTIALS_DIR=/settings", "--env", "SETTINGS_DIR=/settings", "--env", "HISTORY_DIR=/history",
             "--env", "CLAUDE_OAUTH_TOKEN_URL",
             "--volume", $"{_s.AiDir}/settings:/settings", "--volume", $"{_s.AiDir}/history:/history",
             "localhost/ai:test", "/usr/local/bin/refresh-tokens", "--once"],
            runs[0]);
        Assert.Contains("--tty", runs[1]);
    }

    [Fact]
    public async Task A_remote_podman_refreshes_in_the_container_by_default()
    {
        _s.Env["FAKE_PODMAN_INFO"] = Remote;
        await LaunchAsync();
        Assert.Equal(["/usr/local/bin/refresh-tokens", "--once"], Runs[0].TakeLast(2));
    }

    [Fact]
    public async Task CONTAINER_HOST_means_remote_too()
    {
        _s.Env["CONTAINER_HOST"] = "ssh://core@127.0.0.1:2222/run/podman/podman.sock";
        await LaunchAsync();
        Assert.Equal(["/usr/local/bin/refresh-tokens", "--once"], Runs[0].TakeLast(2));
    }

    [Fact]
    public async Task A_local_podman_refreshes_on_the_host_and_host_overrides_remote()
    {
        await LaunchAsync();
        Assert.Single(Runs);

        _s.Env["FAKE_PODMAN_INFO"] = Remote;
        _s.Env["AI_HOST_REFRESH"] = "host";
        File.Delete(_s.PodmanLog);
        await LaunchAsync();
        Assert.Single(Runs);
    }

    [Fact]
    public async Task A_bad_AI_HOST_REFRESH_is_exit_2_with_one_line_and_nothing_started()
    {
        _s.Env["AI_HOST_REFRESH"] = "vm";
        var result = await _s.InProcessAsync([]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["at=fatal msg=\"AI_HOST_REFRESH must be host or container\" variable=AI_HOST_REFRESH value=vm"], result.StderrLines);
        Assert.Empty(Runs);
    }

    [Fact]
    public async Task A_failed_container_refresh_of_a_still_valid_token_still_launches()
    {
        // --once covers every chain; another profile's failure (exit 1) must not stop this one's launch.
        _s.Env["AI_HOST_REFRESH"] = "container";
        _s.Env["FAKE_PODMAN_EXIT"] = "1";
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        var result = await _s.InProcessAsync(["work"]);
        Assert.Equal(1, result.ExitCode); // the fake's sandbox run exits 1 too
        Assert.Contains("msg=\"claude token refresh failed\"", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Runs.Count);
    }
}
