using AiSandbox.Common.IO;
using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests;

/// <summary>
/// Only regular files are read, and nothing is ever waited on: a named pipe with no writer would block an
/// ordinary open forever. The bound below is a "does not hang" limit, not a timing claim.
/// </summary>
public sealed class BoundedFileTests : IDisposable
{
    private static readonly TimeSpan DoesNotHang = TimeSpan.FromSeconds(60);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reads_a_regular_file()
    {
        File.WriteAllText(_dir["f"], "hello");
        Assert.Equal("hello", BoundedFile.ReadAllText(_dir["f"]));
    }

    [Fact]
    public async Task A_named_pipe_is_refused_without_waiting_for_a_writer()
    {
        var pipe = _dir["pipe"];
        var make = await Run.ProcessAsync("/usr/bin/mkfifo", [pipe]);
        Assert.True(make.ExitCode == 0, make.ToString());

        var read = Task.Run(() => Assert.Throws<NotRegularFileException>(() => BoundedFile.ReadAllBytes(pipe)));

        Assert.Same(read, await Task.WhenAny(read, Task.Delay(DoesNotHang)));
        Assert.Equal("is a named pipe", (await read).Reason);
    }

    [Fact]
    public void A_directory_is_refused()
    {
        Directory.CreateDirectory(_dir["d"]);
        Assert.Equal("is a directory", Assert.Throws<NotRegularFileException>(() => BoundedFile.ReadAllBytes(_dir["d"])).Reason);
    }

    [Fact]
    public void A_character_device_is_refused()
    {
        Assert.Equal("is a character device", Assert.Throws<NotRegularFileException>(() => BoundedFile.ReadAllBytes("/dev/zero")).Reason);
    }

    [Fact]
    public void A_symlink_at_the_file_is_followed_only_when_asked()
    {
        File.WriteAllText(_dir["target"], "x");
        File.CreateSymbolicLink(_dir["link"], _dir["target"]);

        Assert.Equal("x", BoundedFile.ReadAllText(_dir["link"]));
        var refused = Assert.Throws<NotRegularFileException>(() => BoundedFile.ReadAllBytes(_dir["link"], 100, followSymlink: false, within: null));
        Assert.Equal("is a symbolic link (refused)", refused.Reason);
    }

    [Fact]
    public void A_symlinked_directory_cannot_lead_outside_the_root()
    {
        Directory.CreateDirectory(_dir["root"]);
        Directory.CreateDirectory(_dir["outside"]);
        File.WriteAllText(_dir["outside/f"], "secret");
        Directory.CreateSymbolicLink(_dir["root/session"], _dir["outside"]);
        Directory.CreateDirectory(_dir["root/honest"]);
        File.WriteAllText(_dir["root/honest/f"], "ok");

        var refused = Assert.Throws<NotRegularFileException>(() => BoundedFile.ReadAllBytes(_dir["root/session/f"], 100, followSymlink: false, within: _dir["root"]));
        Assert.StartsWith("resolves outside ", refused.Reason, StringComparison.Ordinal);
        Assert.Equal("ok", BoundedFile.ReadAllText(_dir["root/honest/f"], 100, followSymlink: false, within: _dir["root"]));
    }

    [Fact]
    public void A_root_reached_through_a_symlink_still_holds_its_own_files()
    {
        Directory.CreateDirectory(_dir["real/s"]);
        File.WriteAllText(_dir["real/s/f"], "ok");
        Directory.CreateSymbolicLink(_dir["alias"], _dir["real"]);

        Assert.Equal("ok", BoundedFile.ReadAllText(_dir["alias/s/f"], 100, followSymlink: false, within: _dir["alias"]));
    }

    [Fact]
    public void Missing_and_too_large_files_keep_their_exceptions()
    {
        Assert.Throws<FileNotFoundException>(() => BoundedFile.ReadAllBytes(_dir["none"]));
        File.WriteAllText(_dir["big"], new string('x', 101));
        Assert.Throws<FileTooLargeException>(() => BoundedFile.ReadAllBytes(_dir["big"], 100));
    }
}
