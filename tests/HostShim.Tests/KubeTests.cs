using AiSandbox.HostShim.Kube;
using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary><c>ai kube</c>: the Pod manifest of the sandbox ai would run, and the chain's one refresher beside it.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class KubeTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task The_manifest_runs_systemd_with_the_launch_environment_and_every_mount_as_a_host_volume()
    {
        _s.Env["AI_IMAGE"] = "ai:abc123";
        _s.Env["AI_SERVICES"] = "postgresql,redis";
        var result = await _s.InProcessAsync(["kube", "work"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var yaml = result.Stdout;
        var lines = yaml.Split('\n');
        Assert.Contains("kind: Pod", lines);
        Assert.Contains("  name: \"ai-my-project\"", lines);
        Assert.Contains("    image: \"localhost/ai:abc123\"", lines);
        Assert.Contains("    command: [\"/sbin/init\"]", lines);
        Assert.Contains("    tty: true", lines);
        Assert.Contains("        add: [\"NET_ADMIN\", \"NET_RAW\", \"SYS_PTRACE\"]", lines);
        Assert.Contains("  terminationGracePeriodSeconds: 60", lines);
        foreach (var (key, value) in new[] { ("HOST_DIR", "my-project"), ("HOST_WORKDIR", "/host-workdir/my-project"), ("PORT", "1337"),
            ("CLAUDE_PROFILE", "work"), ("CLAUDE_AUTO_START", "1"), ("AI_SERVICES", "postgresql,redis"), ("REFRESH_BEFORE", "600") })
        {
            Assert.Contains($"    - name: \"{key}\"\n      value: \"{value}\"\n", yaml, StringComparison.Ordinal);
        }

        foreach (var (volume, source) in new[] { ("settings", Path.Combine(_s.AiDir, "settings")), ("history", Path.Combine(_s.AiDir, "history")),
            ("claude", Path.Combine(_s.Repo, "claude")), ("app", _s.Project) })
        {
            Assert.Contains($"  - name: \"{volume}\"\n    hostPath:\n      path: \"{source}\"\n      type: Directory\n", yaml, StringComparison.Ordinal);
        }

        Assert.Contains("    - name: \"claude\"\n      mountPath: \"/claude\"\n      readOnly: true\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    - name: \"app\"\n      mountPath: \"/host-workdir/my-project\"\n", yaml, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_s.AiDir, "settings", "dotfiles")), "the volumes' directories exist, as after a launch");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_s.AiDir, "settings")));
        Assert.Empty(_s.Calls);
    }

    [Fact]
    public async Task The_second_pod_is_the_one_standalone_refresher_on_the_same_settings_and_can_be_left_out()
    {
        var result = await _s.InProcessAsync(["kube"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var documents = result.Stdout.Split("\n---\n");
        Assert.Equal(2, documents.Length);
        Assert.DoesNotContain("CLAUDE_PROFILE", documents[0], StringComparison.Ordinal);
        Assert.Contains($"  name: \"{KubeManifest.RefresherPod}\"", documents[1], StringComparison.Ordinal);
        Assert.Contains("    command: [\"/usr/local/bin/refresh-tokens\", \"--daemon\"]", documents[1], StringComparison.Ordinal);
        Assert.Contains("    - name: \"CREDENTIALS_DIR\"\n      value: \"/settings\"\n", documents[1], StringComparison.Ordinal);
        Assert.Contains($"      path: \"{Path.Combine(_s.AiDir, "settings")}\"", documents[1], StringComparison.Ordinal);
        Assert.Contains("  terminationGracePeriodSeconds: 45", documents[1], StringComparison.Ordinal);

        var alone = await _s.InProcessAsync(["kube", "--no-refresher"]);
        Assert.Equal(0, alone.ExitCode);
        Assert.DoesNotContain("---", alone.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain($"name: \"{KubeManifest.RefresherPod}\"", alone.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_that_looks_like_yaml_stays_one_quoted_scalar()
    {
        using var odd = new Sandbox(podman, "we\"ird: [x] #p");
        var result = await odd.InProcessAsync(["kube", "--no-refresher"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("    - name: \"HOST_DIR\"\n      value: \"we\\\"ird: [x] #p\"\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  name: \"ai-we-ird-x-p\"", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, 2, "unknown option")]
    [InlineData(new[] { "work", "more" }, 2, "unexpected argument")]
    [InlineData(new[] { "../x" }, 2, "invalid claude profile")]
    public async Task Bad_command_lines_are_one_line_and_exit_2(string[] args, int exit, string message)
    {
        var result = await _s.InProcessAsync(["kube", .. args]);
        Assert.Equal(exit, result.ExitCode);
        Assert.StartsWith($"at=fatal msg=\"{message}\"", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Yaml_quoting_escapes_what_would_end_or_bend_a_scalar() =>
        Assert.Equal("\"a\\\"b\\\\c\\nd\\u0001\"", YamlText.Quote("a\"b\\c\nd\u0001"));
}
