using AiSandbox.Common.IO;
using AiSandbox.TestSupport;

namespace AiSandbox.Common.Tests;

public sealed class FileLockTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Second_holder_waits_until_the_first_releases()
    {
        var path = _dir[".credentials.work.json.lock"];
        var first = await FileLock.AcquireAsync(path, TimeSpan.FromSeconds(1), TimeProvider.System);
        Assert.Null(FileLock.TryAcquire(path));

        var second = FileLock.AcquireAsync(path, TimeSpan.FromSeconds(5), TimeProvider.System);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first.Dispose();
        using var held = await second;
        Assert.Equal(path, held.Path);
    }

    [Fact]
    public async Task Wait_is_bounded()
    {
        var path = _dir["x.lock"];
        using var first = FileLock.TryAcquire(path);
        Assert.NotNull(first);
        var e = await Assert.ThrowsAsync<TimeoutException>(() => FileLock.AcquireAsync(path, TimeSpan.FromMilliseconds(100), TimeProvider.System));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lock_holds_between_processes_and_dies_with_its_holder()
    {
        var path = _dir["proc.lock"];
        // flock(1) from util-linux, without forking, holds the lock in another process for as long as it sleeps.
        using var holder = System.Diagnostics.Process.Start("flock", ["--no-fork", "-x", path, "sleep", "30"]);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (FileLock.TryAcquire(path) is { } probe)
        {
            probe.Dispose();
            Assert.True(DateTime.UtcNow < deadline, "flock(1) never took the lock");
            await Task.Delay(10);
        }

        holder.Kill();
        await holder.WaitForExitAsync();
        using var mine = await FileLock.AcquireAsync(path, TimeSpan.FromSeconds(2), TimeProvider.System);
        Assert.NotNull(mine);
    }
}
