using System.Diagnostics;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// The offline test image, built once per run by container/build --offline (a debootstrap trixie base
/// from this machine's Debian mirror, RabbitMQ for the broker). The script tags the image with a hash
/// of every input and reuses it while that hash is unchanged, so only the first run on a machine, or a
/// run after an input changed, pays for the build. AISANDBOX_TEST_IMAGE names a prebuilt image instead.
/// </summary>
public sealed class TestImage : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(25);

    public string Name { get; private set; } = string.Empty;

    public TimeSpan BuildTime { get; private set; }

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
        var result = await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "container", "build"), ["--offline"], env, timeout: BuildTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"container/build --offline failed: {result}");
        }

        Name = result.StdoutLines[^1].Trim();
        BuildTime = clock.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// Every end-to-end test shares the image and runs one after the other: each boots a full systemd with
/// PostgreSQL, Redis and RabbitMQ, and CI has two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SandboxCollection : ICollectionFixture<TestImage>
{
    public const string Name = "sandbox";
}
