using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// <c>./publish</c> picks the runtime identifier: this machine's architecture by default, the
/// architecture podman runs containers on with <c>--image</c>; <c>--print-out</c> says where without
/// publishing. <c>uname</c> and podman are stubs on PATH, so any architecture can be asked for.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class PublishScriptTests(FakePodmanBinary podman) : IDisposable
{
    private readonly TempDir _dir = new("aisandbox-publish-");

    public void Dispose() => _dir.Dispose();

    private async Task<ProcessResult> PrintOutAsync(string machine, string podmanArch, params string[] args)
    {
        var tools = _dir["tools"];
        Directory.CreateDirectory(tools);
        File.WriteAllText(Path.Combine(tools, "uname"), $"#!/bin/sh\necho {machine}\n");
        File.SetUnixFileMode(Path.Combine(tools, "uname"), (UnixFileMode)0b111_101_101);
        var env = new Dictionary<string, string?>
        {
            ["PATH"] = $"{tools}:{podman.BinDir}:/usr/bin:/bin",
            ["FAKE_PODMAN_LOG"] = _dir["podman.log"],
            ["FAKE_PODMAN_INFO"] = podmanArch,
        };
        return await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "publish"), [.. args, "--print-out"], env);
    }

    [Theory]
    [InlineData("x86_64", new string[0], "artifacts/bin")]
    [InlineData("aarch64", new string[0], "artifacts/bin")]
    [InlineData("x86_64", new[] { "--rid", "linux-arm64" }, "artifacts/bin-arm64")]
    [InlineData("aarch64", new[] { "--rid", "linux-x64" }, "artifacts/bin-x64")]
    public async Task The_default_is_this_machines_architecture_into_artifacts_bin(string machine, string[] args, string expected)
    {
        var result = await PrintOutAsync(machine, "amd64", args);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(expected, result.Stdout.Trim());
    }

    [Theory]
    [InlineData("x86_64", "amd64", "artifacts/bin")]
    [InlineData("x86_64", "arm64", "artifacts/bin-arm64")]
    [InlineData("arm64", "amd64", "artifacts/bin-x64")]
    public async Task Image_is_the_architecture_podman_runs_containers_on(string machine, string podmanArch, string expected)
    {
        var result = await PrintOutAsync(machine, podmanArch, "--image");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(expected, result.Stdout.Trim());
        Assert.Contains(PodmanCall.Read(_dir["podman.log"]), c => c.Args is ["info", "--format", "{{.Host.Arch}}"]);
    }

    [Fact]
    public async Task An_unknown_architecture_is_one_line_and_exit_2()
    {
        var result = await PrintOutAsync("riscv64", "amd64");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["at=fatal msg=\"unsupported architecture\" arch=riscv64"], result.StderrLines);
    }
}
