using System.Text;
using AiSandbox.HostShim.Podman.Terminal;

namespace AiSandbox.HostShim.Tests;

public sealed class BootNoiseTests
{
    private const string Noise =
        "\0\u001b[0;1;31mFailed to create symlink /sys/fs/cgroup/cpuacct: File exists\u001b[0m\r\r\n"
        + "\u001b[0;1;31mFailed to create symlink /sys/fs/cgroup/cpu: File exists\u001b[0m\r\r\n";

    private const string Console = "\u001b[!p\u001b]104\u0007\u001b[?7hat=info msg=\"waiting for services\"\r\n";

    private static string Filter(string text, int chunk)
    {
        var noise = new BootNoise();
        var bytes = Encoding.UTF8.GetBytes(text);
        var output = new List<byte>();
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            output.AddRange(noise.Pass(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i))).ToArray());
        }

        output.AddRange(noise.Flush().ToArray());
        return Encoding.UTF8.GetString([.. output]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Drops_the_leading_cgroup_lines_however_the_reads_cut_them(int chunk) =>
        Assert.Equal(Console + "Failed to create symlink /sys/fs/cgroup/cpu: File exists\r\n",
            Filter(Noise + Console + "Failed to create symlink /sys/fs/cgroup/cpu: File exists\r\n", chunk));

    [Theory]
    [InlineData("Failed to mount /proc\r\n")]
    [InlineData("Failed to create symlink /sys/fs/cgroup/cpu: Permission denied\r\n")]
    [InlineData("\u001b[?2004h")]
    [InlineData("bash-5.2# ")]
    public void Other_first_output_passes_unchanged(string first)
    {
        Assert.Equal(first + "rest", Filter(first + "rest", 1));
        Assert.Equal(first + "rest", Filter(first + "rest", 4096));
    }

    [Fact]
    public void A_line_cut_off_by_the_end_of_output_is_not_lost() =>
        Assert.Equal("Failed to create sym", Filter("Failed to create sym", 3));

    [Fact]
    public void Holds_only_what_could_still_be_noise()
    {
        var noise = new BootNoise();
        Assert.Equal(0, noise.Pass("\0\u001b[0;1;31mFailed to cr"u8).Length);
        Assert.False(noise.Done);
        Assert.Equal("\0\u001b[0;1;31mFailed to cr!"u8.ToArray(), noise.Pass("!"u8).ToArray());
        Assert.True(noise.Done);
    }

    [Fact]
    public void Counts_what_it_dropped()
    {
        var noise = new BootNoise();
        _ = noise.Pass(Encoding.UTF8.GetBytes(Noise));
        Assert.Equal(2, noise.Dropped);
        Assert.False(noise.Done);
    }
}
