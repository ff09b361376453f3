using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>
/// The boot-time bundle step installs into /bundle (the host's ~/ai/bundle), where the shell's
/// <c>bundle exec</c> looks, so a second sandbox of the same project installs nothing. The project's one
/// gem comes from a git repository inside the project: bundler installs it into BUNDLE_PATH with no
/// network (a rubygems source, even with the .gem in vendor/cache, asks rubygems.org for its index).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class BundleCacheTests(TestImage image) : IDisposable
{
    private readonly TempDir _dir = new("aisandbox-bundle-");

    public void Dispose() => _dir.Dispose();

    private void WriteProject()
    {
        var gem = _dir["app/gems/hello"];
        Directory.CreateDirectory(Path.Combine(gem, "lib"));
        File.WriteAllText(Path.Combine(gem, "aisandbox-hello.gemspec"), """
            Gem::Specification.new do |s|
              s.name = "aisandbox-hello"
              s.version = "1.0.0"
              s.summary = "A gem that needs no network"
              s.authors = ["AiSandbox"]
              s.license = "MIT"
              s.files = ["lib/aisandbox_hello.rb"]
            end
            """);
        File.WriteAllText(Path.Combine(gem, "lib", "aisandbox_hello.rb"), "module AisandboxHello\n  GREETING = \"hello from the bundle\"\nend\n");
        foreach (var git in new[] { new[] { "init", "--quiet", "." }, ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "gem"] })
        {
            var result = Run.ProcessAsync("/usr/bin/git", git, cwd: gem).GetAwaiter().GetResult();
            Assert.True(result.ExitCode == 0, "git " + string.Join(' ', git) + ": " + result);
        }

        File.WriteAllText(_dir["app/Gemfile"], "gem \"aisandbox-hello\", git: \"/app/gems/hello\"\n");
        Directory.CreateDirectory(_dir["bundle"]);
    }

    private SandboxOptions Options => new()
    {
        Network = "none",
        Volumes = [$"{_dir["app"]}:/app", $"{_dir["bundle"]}:/bundle"],
        Environment = new Dictionary<string, string> { ["AI_SERVICES"] = "none" },
    };

    /// <summary>Boots a sandbox of the project and returns what <c>s</c> said about the bundle step.</summary>
    private async Task<string> BootAsync(string purpose, Func<Sandbox, Task>? then = null)
    {
        await using var box = await Sandbox.StartAsync(image, Options, purpose);
        var said = string.Empty;
        await box.GuardAsync(async () =>
        {
            await box.AssertRunningAsync();
            var s = await box.ExecAsync(["s", "--timeout", "300"], TimeSpan.FromSeconds(330));
            said = s.Stdout + s.Stderr;
            Assert.True(s.ExitCode == 0, said);
            if (then is not null)
            {
                await then(box);
            }
        });
        return said;
    }

    /// <summary>The checked-out gem in /bundle/ruby/&lt;version&gt;/bundler/gems (its git cache sits beside it).</summary>
    private string[] InstalledGems() =>
        Directory.Exists(_dir["bundle"])
            ? Directory.GetDirectories(_dir["bundle"], "hello-*", SearchOption.AllDirectories)
                .Where(d => Path.GetFileName(Path.GetDirectoryName(d)) == "gems" && Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))) == "bundler")
                .ToArray()
            : [];

    [Fact]
    public async Task A_second_sandbox_of_the_same_project_installs_nothing()
    {
        WriteProject();

        var first = await BootAsync("bundle-1");
        Assert.Contains("+ all services ready", first, StringComparison.Ordinal);
        var installed = Assert.Single(InstalledGems());
        var stamp = Directory.GetLastWriteTimeUtc(installed);

        var second = await BootAsync("bundle-2", async box =>
        {
            // The shell's bundle exec uses what the boot installed.
            var shell = await box.ExecAsync(["bash", "-ic", "cd /app && bundle exec ruby -e 'require \"aisandbox_hello\"; puts AisandboxHello::GREETING'"],
                TimeSpan.FromSeconds(60));
            Assert.True(shell.ExitCode == 0 && shell.Stdout.Contains("hello from the bundle", StringComparison.Ordinal), shell.ToString());
        });
        var bundleLine = second.Split('\n').Last(l => l.StartsWith("+ bundle", StringComparison.Ordinal));
        Assert.EndsWith("bundle check: dependencies satisfied", bundleLine.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("bundle install", second, StringComparison.Ordinal);
        Assert.Equal(installed, Assert.Single(InstalledGems()));
        Assert.Equal(stamp, Directory.GetLastWriteTimeUtc(installed));
    }
}
