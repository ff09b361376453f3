using AiSandbox.HostShim.Podman;
using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// podman as the user has it: the options <c>ai</c> adds so that the host's own podman defaults start the
/// sandbox (limits within the host's hard limits, an OCI runtime that can start systemd), and the one host
/// that cannot boot it (rootless on cgroup v1), refused before anything starts.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class HostFitTests(FakePodmanBinary podman) : IDisposable
{
    // This machine kind: root without CAP_SYS_RESOURCE, hard limits nofile 20000 and nproc 96365, runc installed.
    private static readonly HostFacts LowLimits = new(20000, 96365, CanRaiseLimits: false, HasRunc: true);

    private const string CrunOnV1 =
        """{"host":{"security":{"rootless":false},"serviceIsRemote":false,"ociRuntime":{"name":"crun"},"cgroupVersion":"v1"},"version":{"Version":"4.3.1"}}""";

    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private Task<IReadOnlyList<string>> DryRunAsync(params string[] args) => _s.DryRunArgvAsync(args);

    [Fact]
    public async Task Low_hard_limits_without_CAP_SYS_RESOURCE_give_ulimits_from_the_host_right_after_the_stop_timeout()
    {
        _s.Host = LowLimits;
        var argv = await DryRunAsync();
        var at = argv.ToList().IndexOf("--stop-timeout=60");
        Assert.Equal(["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"], argv.Skip(at + 1).Take(4));
    }

    [Theory]
    [InlineData(1048576UL, 32768UL, false, false)] // podman's own asks fit
    [InlineData(20000UL, 96365UL, true, false)] // CAP_SYS_RESOURCE: podman may raise them
    [InlineData(20000UL, 96365UL, false, true)] // rootless: podman caps its defaults itself
    public async Task No_ulimits_where_podman_defaults_work(ulong nofile, ulong nproc, bool canRaise, bool rootless)
    {
        _s.Host = new HostFacts(nofile, nproc, canRaise, HasRunc: true);
        if (rootless)
        {
            _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":false,"cgroupVersion":"v2"},"version":{"Version":"5.2.0"}}""";
        }

        var argv = await DryRunAsync();
        Assert.DoesNotContain("--ulimit", argv);
    }

    [Fact]
    public async Task A_low_nproc_alone_gives_both_ulimits_capped_by_the_host()
    {
        _s.Host = new HostFacts(ulong.MaxValue, 4096, CanRaiseLimits: false, HasRunc: true);
        var argv = await DryRunAsync();
        Assert.Equal(["nofile=1048576:1048576", "nproc=4096:4096"], Argv.Values(argv, "--ulimit"));
    }

    [Fact]
    public async Task A_remote_podman_gets_no_ulimits_and_no_runtime_the_limits_are_the_VMs()
    {
        _s.Host = LowLimits;
        _s.Env["FAKE_PODMAN_INFO"] = CrunOnV1.Replace("\"serviceIsRemote\":false", "\"serviceIsRemote\":true", StringComparison.Ordinal);
        var argv = await DryRunAsync();
        Assert.DoesNotContain("--ulimit", argv);
        Assert.DoesNotContain("--runtime", argv);
    }

    [Fact]
    public async Task Crun_on_a_cgroup_v1_host_with_runc_installed_runs_runc()
    {
        _s.Env["FAKE_PODMAN_INFO"] = CrunOnV1;
        var argv = await DryRunAsync();
        Argv.HasPair(argv, "--runtime", "runc");
    }

    [Theory]
    [InlineData("crun", "v2", true)]
    [InlineData("runc", "v1", true)]
    [InlineData("crun", "v1", false)]
    public async Task The_runtime_is_podmans_own_elsewhere(string runtime, string cgroups, bool hasRunc)
    {
        _s.Host = HostFacts.Roomy with { HasRunc = hasRunc };
        _s.Env["FAKE_PODMAN_INFO"] = CrunOnV1.Replace("crun", runtime, StringComparison.Ordinal).Replace("v1", cgroups, StringComparison.Ordinal);
        var argv = await DryRunAsync();
        Assert.DoesNotContain("--runtime", argv);
    }

    [Fact]
    public async Task Token_refresh_container_gets_the_same_fit()
    {
        _s.Host = LowLimits;
        _s.Env["FAKE_PODMAN_INFO"] = CrunOnV1;
        var result = await _s.InProcessAsync(["token-refresh"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var run = _s.RunCall.Args;
        Assert.Equal(["--runtime", "runc", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"], run.Skip(7).Take(6));
    }

    [Fact]
    public async Task Rootless_podman_on_cgroup_v1_stops_with_one_line_and_exit_3_before_anything_starts()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":false,"cgroupVersion":"v1"},"version":{"Version":"4.3.1"}}""";
        var result = await _s.InProcessAsync(["work"]);
        Assert.Equal(HostFit.CannotBoot, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("at=fatal msg=\"the sandbox needs cgroup v2 or rootful podman", line, StringComparison.Ordinal);
        _s.AssertOnlyAsked();
        Assert.False(Directory.Exists(Path.Combine(_s.AiDir, "history")));
    }

    [Fact]
    public async Task Rootless_podman_on_cgroup_v2_runs_with_the_users_namespace()
    {
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":false,"cgroupVersion":"v2"},"version":{"Version":"5.2.0"}}""";
        var result = await _s.InProcessAsync([]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("--userns=host", _s.RunCall.Args);
    }

    [Fact]
    public async Task A_dry_run_on_rootless_cgroup_v1_warns_and_still_prints_the_command()
    {
        _s.Env["FAKE_PODMAN_INFO"] = """{"host":{"security":{"rootless":true},"serviceIsRemote":false,"cgroupVersion":"v1"},"version":{"Version":"4.3.1"}}""";
        var result = await _s.InProcessAsync(["--dry-run"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("at=warn msg=\"rootless podman on a cgroup v1 host", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--userns=host", Argv.FromDryRun(result.Stdout));
    }

    [Fact]
    public void The_process_facts_are_this_process_own_hard_limits()
    {
        var facts = HostFacts.FromProcess(Environment.GetEnvironmentVariable);
        Assert.Equal(HardLimit("Max open files"), facts.NofileHard);
        Assert.Equal(HardLimit("Max processes"), facts.NprocHard);
    }

    // /proc/self/limits: "Max open files            20000                20000                files"
    private static ulong HardLimit(string name)
    {
        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        var hard = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return hard == "unlimited" ? ulong.MaxValue : ulong.Parse(hard, System.Globalization.CultureInfo.InvariantCulture);
    }
}
