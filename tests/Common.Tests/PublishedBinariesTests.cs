using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests;

/// <summary>
/// What ./publish must produce: NativeAOT executables for linux-x64 and linux-arm64, one per name. The
/// arm64 half is its own category (<see cref="Arm64Category"/>): ./test leaves it out, since the arm64
/// publish costs minutes on every run, and scripts/check-arm64 publishes for arm64 and runs it.
/// </summary>
public sealed class PublishedBinariesTests
{
    public const string Arm64Category = "Arm64";

    public static TheoryData<string> Commands => [.. RepoPaths.Commands.Keys];

    [Theory]
    [MemberData(nameof(Commands))]
    public void X64_command_is_a_native_executable_pointing_at_its_binary(string command)
    {
        var path = RepoPaths.Binary(command);
        var resolved = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        Assert.Equal(RepoPaths.Commands[command], Path.GetFileName(resolved));
        AssertElf(resolved, machine: 0x3E); // EM_X86_64

        // NativeAOT means no managed assemblies or runtime config beside the binaries.
        Assert.Empty(Directory.GetFiles(RepoPaths.BinDir, "*.dll"));
        Assert.Empty(Directory.GetFiles(RepoPaths.BinDir, "*.runtimeconfig.json"));
    }

    [Theory]
    [Trait("Category", Arm64Category)]
    [MemberData(nameof(Commands))]
    public async Task Arm64_command_answers_help_under_qemu(string command)
    {
        var path = Path.Combine(RepoPaths.Arm64BinDir, command);
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/check-arm64 (it publishes them with ./publish --rid linux-arm64)");
        var resolved = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        AssertElf(resolved, machine: 0xB7); // EM_AARCH64

        // qemu-user runs the arm64 binary with the cross C runtime as its root; -0 keeps argv[0], which
        // the multi-call binaries dispatch on.
        var result = await Run.ProcessAsync("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", "-0", path, path, "--help"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
    }

    private static void AssertElf(string path, int machine)
    {
        Span<byte> header = stackalloc byte[20];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadExactly(header);
        }

        Assert.True(header[..4].SequenceEqual("\u007fELF"u8), $"{path} is not an ELF executable");
        Assert.Equal(machine, BitConverter.ToUInt16(header[18..20]));
    }
}
