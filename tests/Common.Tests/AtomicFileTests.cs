using AiSandbox.Common.IO;
using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Creates_missing_directories_0700_and_the_file_0600()
    {
        var path = _dir["a/b/.credentials.json"];
        AtomicFile.WriteAllText(path, "{}");

        Assert.Equal("{}", File.ReadAllText(path));
        Assert.Equal(AtomicFile.PrivateFile, File.GetUnixFileMode(path));
        Assert.Equal(AtomicFile.PrivateDirectory, File.GetUnixFileMode(_dir["a"]));
        Assert.Equal(AtomicFile.PrivateDirectory, File.GetUnixFileMode(_dir["a/b"]));
    }

    [Fact]
    public void Replaces_content_and_narrows_a_wider_mode()
    {
        var path = _dir["f.json"];
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, (UnixFileMode)0x1B6); // 0666

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(AtomicFile.PrivateFile, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Refuses_a_symlink_and_leaves_both_files_alone()
    {
        var target = _dir["target.json"];
        File.WriteAllText(target, "target");
        var link = _dir["link.json"];
        File.CreateSymbolicLink(link, target);

        var e = Assert.Throws<SymlinkRefusedException>(() => AtomicFile.WriteAllText(link, "new"));
        Assert.Contains(link, e.Message, StringComparison.Ordinal);
        Assert.Equal("target", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void Bounded_read_rejects_a_large_file()
    {
        var path = _dir["big"];
        File.WriteAllBytes(path, new byte[2048]);
        Assert.Throws<FileTooLargeException>(() => BoundedFile.ReadAllBytes(path, 1024));
        Assert.Equal(2048, BoundedFile.ReadAllBytes(path, 4096).Length);
    }
}
