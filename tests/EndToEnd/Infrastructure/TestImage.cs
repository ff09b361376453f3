using System.Diagnostics;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// The image users run, made by the users' entry (<c>./build_image --no-publish</c>: the binaries in
/// artifacts/bin as the run published them): localhost/ai:&lt;inputs hash&gt;, also tagged ai:latest. The
/// recipe reuses an image of the same inputs, so only the first run on a machine, or a run after an input
/// changed, pays for the build. AISANDBOX_TEST_IMAGE names a prebuilt image instead (./test sets it).
/// </summary>
public sealed class TestImage : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(25);

    public string Name { get; private set; } = string.Empty;

    public TimeSpan BuildTime { get; private set; }

    /// <summary>The command that makes the image, from the repository root.</summary>
    public static IReadOnlyList<string> BuildCommand => [Path.Combine(RepoPaths.Root, "build_image"), "--no-publish"];

    public async Task InitializeAsync()
    {
        _ = Podman.Executable;
        if (Environment.GetEnvironmentVariable("AISANDBOX_TEST_IMAGE") is { Length: > 0 } given)
        {
            var exists = await Podman.RunAsync(["image", "exists", given]);
            if (exists.ExitCode != 0)
            {
                throw new InvalidOperationException($"AISANDBOX_TEST_IMAGE={given} does not exist in podman's store");
            }

            Name = given;
            return;
        }

        var clock = Stopwatch.StartNew();
        var env = new Dictionary<string, string?>(Podman.Environment);
        var result = await Run.ProcessAsync(BuildCommand[0], BuildCommand.Skip(1), env, timeout: BuildTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', BuildCommand)} failed: {result}");
        }

        Name = result.StdoutLines[^1].Trim();
        BuildTime = clock.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// Every end-to-end test shares the image and runs one after the other: each boots a full systemd with
/// PostgreSQL, Redis and the broker, and CI has two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxCollection : ICollectionFixture<TestImage>
{
    public const string Name = "sandbox";
}
