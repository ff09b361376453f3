using AiSandbox.TestSupport;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>
/// Any sandbox's agent can write the history tree. Whatever it puts there (a named pipe or device at a
/// session's <c>.credentials.json</c> or <c>.profile</c>, a directory, symlinked session, month or year
/// directories pointing out of the tree), every search still ends, reads nothing outside the tree, and
/// serves the honest copies. "Does not hang" is a generous bound, not a timing claim.
/// </summary>
public sealed class HostileHistoryTests
{
    private static readonly TimeSpan DoesNotHang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_named_pipe_at_a_session_copy_does_not_block_list_active()
    {
        await using var box = new Sandbox();
        var honest = Honest(box);
        var pipe = await PipeSessionAsync(box, ".credentials.json");

        var result = await box.RunAsync(["--list-active"], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"work\t{Human(honest)}\t{honest}"], result.StdoutLines);
        var warn = WithoutTime(Assert.Single(result.StderrLines));
        Assert.Equal($"at=warn msg=\"history entry skipped\" path=\"{pipe}\" reason=\"is a named pipe\"", warn);
    }

    [Fact]
    public async Task A_named_pipe_at_a_session_profile_does_not_block_find_active()
    {
        await using var box = new Sandbox();
        var honest = Honest(box);
        await PipeSessionAsync(box, ".profile");

        var result = await box.RunAsync(["--find-active", "work"], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([honest], result.StdoutLines);
    }

    [Fact]
    public async Task A_named_pipe_does_not_block_the_chain_lock_holder_of_copy_active()
    {
        await using var box = new Sandbox();
        var honest = Honest(box);
        await PipeSessionAsync(box, ".credentials.json");
        var destination = Path.Combine(box.Home, ".credentials.json");

        var result = await box.RunAsync(["--copy-active", "work", destination], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllText(honest), File.ReadAllText(destination));

        // The lock was released: a second run takes it at once and finds the destination current.
        var again = await box.RunAsync(["--copy-active", "work", destination], box.Env(null, ("CHAIN_LOCK_TIMEOUT", "1")), timeout: DoesNotHang);
        Assert.True(again.ExitCode == 0, again.ToString());
    }

    [Fact]
    public async Task A_device_at_a_session_copy_is_skipped_with_one_line()
    {
        await using var box = new Sandbox();
        var honest = Honest(box);
        var device = Session(box, "27_Fri_09-00");
        var make = await Run.ProcessAsync("/usr/bin/mknod", [device, "c", "1", "3"]);
        Assert.True(make.ExitCode == 0, make.ToString());

        var result = await box.RunAsync(["--list-active", "work"], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"work\t{Human(honest)}\t{honest}"], result.StdoutLines);
        Assert.Equal($"at=warn msg=\"history entry skipped\" path=\"{device}\" reason=\"is a character device\"", WithoutTime(Assert.Single(result.StderrLines)));
    }

    [Fact]
    public async Task A_directory_at_a_session_copy_is_skipped_with_one_line()
    {
        await using var box = new Sandbox();
        var honest = Honest(box);
        var dir = Session(box, "27_Fri_09-00");
        Directory.CreateDirectory(dir);

        var result = await box.RunAsync(["--list-active", "work"], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"work\t{Human(honest)}\t{honest}"], result.StdoutLines);
        Assert.Equal($"at=warn msg=\"history entry skipped\" path=\"{dir}\" reason=\"is a directory\"", WithoutTime(Assert.Single(result.StderrLines)));
    }

    [Theory]
    [InlineData(3)] // the session directory
    [InlineData(2)] // the month
    [InlineData(1)] // the year
    public async Task A_symlinked_directory_out_of_the_tree_is_not_followed(int level)
    {
        await using var box = new Sandbox();
        var honest = Honest(box);

        // A complete, fresher copy outside the history root, reached through a symlink at one level.
        var outside = Path.Combine(box.Root, "outside");
        var parts = new[] { "2025", "12_Dec", "01_Mon_00-00_claude" };
        var real = Path.Combine([outside, .. parts]);
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, ".profile"), "work\n");
        box.Server.IssueCredentials("work").WriteTo(Path.Combine(real, ".credentials.json"), Sandbox.InMs(TimeSpan.FromHours(7)));
        var link = Path.Combine([box.History, .. parts[..level]]);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Directory.CreateSymbolicLink(link, Path.Combine([outside, .. parts[..level]]));

        var list = await box.RunAsync(["--list-active", "work"], box.Env(), timeout: DoesNotHang);
        var copy = await box.RunAsync(["--copy-active", "work", Path.Combine(box.Home, ".credentials.json")], box.Env(), timeout: DoesNotHang);

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"work\t{Human(honest)}\t{honest}"], list.StdoutLines);
        Assert.Equal($"at=warn msg=\"history entry skipped\" path=\"{link}\" reason=\"is a symbolic link (not followed)\"", WithoutTime(Assert.Single(list.StderrLines)));
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal(File.ReadAllText(honest), File.ReadAllText(Path.Combine(box.Home, ".credentials.json")));
    }

    [Fact]
    public async Task A_symlinked_session_copy_is_not_read()
    {
        await using var box = new Sandbox();
        var honest = Honest(box);
        var target = Path.Combine(box.Root, "elsewhere.json");
        box.Server.IssueCredentials("work").WriteTo(target, Sandbox.InMs(TimeSpan.FromHours(7)));
        var link = Session(box, "27_Fri_09-00");
        File.CreateSymbolicLink(link, target);

        var result = await box.RunAsync(["--list-active", "work"], box.Env(), timeout: DoesNotHang);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["PROFILE\tEXPIRES\tPATH", $"work\t{Human(honest)}\t{honest}"], result.StdoutLines);
    }

    /// <summary>An unexpired, complete copy of "work" in the history tree.</summary>
    private static string Honest(Sandbox box) =>
        box.SessionCopy("work", "27_Fri_01-00", box.Server.IssueCredentials("work"), Sandbox.InMs(TimeSpan.FromHours(2)));

    /// <summary>A session directory of "work" whose <c>.credentials.json</c> the test fills in itself.</summary>
    private static string Session(Sandbox box, string name) => box.SessionCopy("work", name);

    /// <summary>A session whose <paramref name="file"/> is a named pipe (the other file honest and fresh).</summary>
    private static async Task<string> PipeSessionAsync(Sandbox box, string file)
    {
        var credentials = box.SessionCopy("work", "27_Fri_09-00", box.Server.IssueCredentials("work"), Sandbox.InMs(TimeSpan.FromHours(9)));
        var pipe = Path.Combine(Path.GetDirectoryName(credentials)!, file);
        File.Delete(pipe);
        var make = await Run.ProcessAsync("/usr/bin/mkfifo", [pipe]);
        Assert.True(make.ExitCode == 0, make.ToString());
        return pipe;
    }

    private static string WithoutTime(string line) => System.Text.RegularExpressions.Regex.Replace(line, " ts=[^ ]+", string.Empty);

    private static string Human(string path) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Sandbox.ExpiresAt(path)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
