using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The image the tests boot is the one <c>bin/ai</c> runs: the same entry (./build_image) made it, it is
/// ai:latest (what <c>ai</c> puts on its podman command line), and it carries the hash of this checkout's
/// inputs, the label <c>ai</c> compares to say when the checkout has moved past the image.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ImageIdentityTests(TestImage image)
{
    private static async Task<string> IdAsync(string name) =>
        (await Podman.CheckedAsync(["image", "inspect", "--format", "{{.Id}}", name])).StdoutLines.Single();

    [Fact]
    public async Task The_tests_boot_the_image_bin_ai_runs_labelled_with_the_checkouts_inputs()
    {
        var hash = await Run.ProcessAsync(Path.Combine(RepoPaths.Root, "container", "inputs-hash"), [], Podman.Environment);
        Assert.True(hash.ExitCode == 0, hash.ToString());
        var inputs = hash.StdoutLines.Single();
        Assert.Equal(Path.Combine(RepoPaths.Root, "build_image"), TestImage.BuildCommand[0]);
        Assert.Equal($"localhost/ai:{inputs}", image.Name);

        var label = await Podman.CheckedAsync(["image", "inspect", "--format", "{{index .Labels \"org.aisandbox.inputs\"}}", image.Name]);
        Assert.Equal(inputs, label.StdoutLines.Single());

        // The image `ai` would start here: the last argument of its podman command line.
        using var home = new TempDir("aisandbox-e2e-image-");
        // The profile must exist for the command line to be made; a dry run reads nothing from it.
        var credentials = Path.Combine(home.Path, "ai", "settings", ".credentials.work.json");
        Directory.CreateDirectory(Path.GetDirectoryName(credentials)!);
        File.WriteAllText(credentials, """{"claudeAiOauth":{"accessToken":"a","refreshToken":"r","expiresAt":0}}""");
        var dryRun = await Run.CommandAsync("ai", ["work", "--dry-run"],
            new Dictionary<string, string?> { ["HOME"] = home.Path, ["AI_IMAGE"] = null, ["AI_REPO"] = RepoPaths.Root }, cwd: home.Path);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        var runs = dryRun.StdoutLines[^1];
        Assert.Equal("ai:latest", runs);
        Assert.Equal(await IdAsync(image.Name), await IdAsync(runs));
    }

    [Fact]
    public async Task The_broker_the_build_installed_lets_its_default_user_in_from_outside_loopback()
    {
        // The login itself through a --ports port is ServicesTests' and UserSessionTests'; this pins the
        // configuration to the broker that was chosen.
        var result = await Podman.CheckedAsync(["run", "--rm", "--pull=never", "--network=none", image.Name, "sh", "-c",
            "cat /etc/aisandbox-amqp; cat /etc/rabbitmq/rabbitmq.conf /etc/lavinmq/lavinmq.ini 2>/dev/null; true"]);
        var broker = result.StdoutLines[0];
        Assert.Contains(broker, new[] { "rabbitmq", "lavinmq" });
        Assert.Contains(broker == "rabbitmq" ? "loopback_users = none" : "default_user_only_loopback = false", result.StdoutLines);
    }
}
