using AiSandbox.Common.Logging;
using AiSandbox.Launchers.History;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

/// <summary>Where <c>~/.codex</c> and its kin already exist as real directories when a launcher points them at a session.</summary>
public sealed class HomeLinkTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_directory_from_a_lower_overlay_layer_is_copied_aside_and_the_link_made()
    {
        // An image layer's directory, as a container sees it: overlayfs refuses to rename it (EXDEV).
        using var dir = new TempDir();
        var lower = Directory.CreateDirectory(dir["lower/.codex/tmp"]).Parent!.FullName;
        File.WriteAllText(Path.Combine(lower, "config.toml"), "model = \"o3\"\n");
        File.CreateSymbolicLink(Path.Combine(lower, "latest"), "tmp");
        foreach (var d in new[] { "upper", "work", "merged", "session" })
        {
            Directory.CreateDirectory(dir[d]);
        }

        var mount = await Run.ProcessAsync("mount", ["-t", "overlay", "overlay", "-o",
            $"lowerdir={dir["lower"]},upperdir={dir["upper"]},workdir={dir["work"]}", dir["merged"]]);
        Assert.True(mount.ExitCode == 0, "an overlay mount is needed (root, overlay module): " + mount);
        try
        {
            var link = Path.Combine(dir["merged"], ".codex");
            Assert.Throws<IOException>(() => Directory.Move(link, link + "-probe"));

            HomeLink.Point(link, dir["session"], Now, new LogfmtLog(TextWriter.Null, null));

            Assert.Equal(dir["session"], new DirectoryInfo(link).LinkTarget);
            var backup = Assert.Single(Directory.GetDirectories(dir["merged"], ".codex-backup.20261201T100000.*"));
            Assert.Equal("model = \"o3\"\n", File.ReadAllText(Path.Combine(backup, "config.toml")));
            Assert.True(Directory.Exists(Path.Combine(backup, "tmp")));
            Assert.Equal("tmp", new FileInfo(Path.Combine(backup, "latest")).LinkTarget);
        }
        finally
        {
            await Run.ProcessAsync("umount", [dir["merged"]]);
        }
    }

    [Fact]
    public void A_directory_of_its_own_is_renamed_aside()
    {
        using var dir = new TempDir();
        var link = dir[".gemini"];
        Directory.CreateDirectory(link);
        File.WriteAllText(Path.Combine(link, "settings.json"), "{}");
        Directory.CreateDirectory(dir["session"]);

        HomeLink.Point(link, dir["session"], Now, new LogfmtLog(TextWriter.Null, null));

        Assert.Equal(dir["session"], new DirectoryInfo(link).LinkTarget);
        var backup = Assert.Single(Directory.GetDirectories(dir.Path, ".gemini-backup.*"));
        Assert.True(File.Exists(Path.Combine(backup, "settings.json")));
    }
}
