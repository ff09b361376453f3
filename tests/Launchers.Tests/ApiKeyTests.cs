using AiSandbox.Launchers.Tests.Support;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

/// <summary>
/// c --apikey: the key reaches claude through its environment, from ANTHROPIC_API_KEY or a 0600 file,
/// never from argv; a key on the command line is refused without being repeated.
/// </summary>
public sealed class ApiKeyTests(StubAgent stub) : IClassFixture<StubAgent>
{
    private const string Key = "sk-ant-api03-Secret_Key-0123456789";

    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Key_from_the_environment_reaches_claude_in_its_environment_and_never_in_argv()
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("c", ["--apikey"], env => env["ANTHROPIC_API_KEY"] = Key);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Equal(Key, run.Ran.Env["ANTHROPIC_API_KEY"]);
        Assert.Equal(["--dangerously-skip-permissions"], run.Ran.Args);
        Assert.DoesNotContain(run.Ran.Args, a => a.Contains(Key, StringComparison.Ordinal));
        Assert.Equal("apikey\n", File.ReadAllText(Path.Combine(Assert.Single(box.SessionHomes("claude")), ".profile")));
        Assert.DoesNotContain(Key, run.Result.Stdout + run.Result.Stderr);
    }

    [Fact]
    public async Task Key_file_0600_is_read_first_line_only_and_wins_over_the_environment()
    {
        using var box = new LauncherSandbox(stub);
        var file = Path.Combine(box.Root, "key");
        WritePrivate(file, "  " + Key + "  \nsecond line\n");

        var run = await box.RunAsync("c", ["--apikey-file", file], env => env["ANTHROPIC_API_KEY"] = "sk-from-env");

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(Key, run.Ran.Env["ANTHROPIC_API_KEY"]);
        Assert.Equal(["--dangerously-skip-permissions"], run.Ran.Args);
        Assert.DoesNotContain(Key, run.Result.Stdout + run.Result.Stderr);
    }

    [Fact]
    public async Task Settings_key_file_is_the_fallback_when_the_environment_has_none()
    {
        using var box = new LauncherSandbox(stub);
        WritePrivate(Path.Combine(box.Settings, "anthropic.key"), Key + "\n");

        var run = await box.RunAsync("c", ["--apikey"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(Key, run.Ran.Env["ANTHROPIC_API_KEY"]);
    }

    [Theory]
    [InlineData("--apikey", Key)]
    [InlineData("--apikey=" + Key)]
    [InlineData("work", "--apikey", Key)]
    [InlineData("--apikey", Key, "work")]
    public async Task Key_on_the_command_line_is_refused_with_one_line_that_says_how_and_never_repeats_it(params string[] args)
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", args, env => env["ANTHROPIC_API_KEY"] = "sk-from-env");

        Assert.True(run.Result.ExitCode == 2, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Contains("msg=\"--apikey takes no value", fatal);
        Assert.Contains("ANTHROPIC_API_KEY", fatal);
        Assert.Contains("--apikey-file", fatal);
        Assert.DoesNotContain(Key, run.Result.Stdout + run.Result.Stderr);
        Assert.Null(run.Agent);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
    }

    [Fact]
    public async Task Apikey_without_any_key_names_where_to_put_one()
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("c", ["--apikey"], env => env["ANTHROPIC_API_KEY"] = "");

        Assert.True(run.Result.ExitCode == 2, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines);
        Assert.StartsWith("at=fatal msg=\"--apikey found no API key\"", fatal);
        Assert.Contains(Path.Combine(box.Settings, "anthropic.key"), fatal);
        Assert.Null(run.Agent);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
    }

    [Fact]
    public async Task Key_file_readable_by_others_is_refused_without_reading_it_out()
    {
        using var box = new LauncherSandbox(stub);
        var file = Path.Combine(box.Settings, "anthropic.key");
        File.WriteAllText(file, Key + "\n");
        File.SetUnixFileMode(file, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await box.RunAsync("c", ["--apikey"]);

        Assert.True(run.Result.ExitCode == 2, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines);
        Assert.Contains("msg=\"API key file is readable by group or others: chmod 600 it\"", fatal);
        Assert.Contains("path=\"" + file + "\"", fatal);
        Assert.Contains("mode=0644", fatal);
        Assert.DoesNotContain(Key, run.Result.Stdout + run.Result.Stderr);
        Assert.Null(run.Agent);
        Assert.Empty(Directory.EnumerateFileSystemEntries(box.History));
    }

    [Theory]
    [InlineData("missing", "API key file not found")]
    [InlineData("empty", "API key file is empty")]
    [InlineData("fifo", "API key file is empty")]
    [InlineData("directory", "cannot read API key file")]
    [InlineData("spaces", "API key file holds spaces or control characters on its first line")]
    public async Task Unusable_key_files_end_in_one_fatal_line_without_blocking(string kind, string message)
    {
        using var box = new LauncherSandbox(stub);
        var file = Path.Combine(box.Root, "key");
        switch (kind)
        {
            case "empty":
                WritePrivate(file, "\n");
                break;
            case "fifo":
                // Opened without O_NONBLOCK, a FIFO with no writer would hold the launch forever.
                var mkfifo = await Run.ProcessAsync("mkfifo", ["-m", "600", file]);
                Assert.True(mkfifo.ExitCode == 0, mkfifo.ToString());
                break;
            case "directory":
                Directory.CreateDirectory(file);
                File.SetUnixFileMode(file, Private | UnixFileMode.UserExecute);
                break;
            case "spaces":
                WritePrivate(file, "sk-ant half\n");
                break;
        }

        var run = await box.RunAsync("c", ["--apikey-file", file]);

        Assert.True(run.Result.ExitCode == 2, run.ToString());
        var fatal = Assert.Single(run.Result.StderrLines);
        Assert.StartsWith($"at=fatal msg=\"{message}\"", fatal);
        Assert.Contains("path=\"" + file + "\"", fatal);
        Assert.DoesNotContain("half", fatal);
        Assert.Null(run.Agent);
    }

    [Fact]
    public async Task A_profile_launch_drops_a_key_from_the_environment()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("work", LauncherSandbox.InHours(5));

        var run = await box.RunAsync("c", ["work"], env => env["ANTHROPIC_API_KEY"] = Key);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.False(run.Ran.Env.ContainsKey("ANTHROPIC_API_KEY"));
    }

    [Fact]
    public async Task The_sandbox_shell_keeps_keys_typed_on_a_command_line_out_of_the_history_file()
    {
        // The HISTIGNORE of the image's /workspace/.bashrc, in a real interactive bash that appends each
        // command as it runs, as that .bashrc has it do into the host-mounted /commandhistory.
        var bashrc = File.ReadAllLines(Path.Combine(RepoPaths.Root, "container", "rootfs", "workspace", ".bashrc"));
        var histIgnore = Assert.Single(bashrc, l => l.StartsWith("HISTIGNORE=", StringComparison.Ordinal));
        using var dir = new TempDir();
        File.WriteAllText(dir["rc"], $"{histIgnore}\nHISTFILE={dir["history"]}\nPROMPT_COMMAND='history -a'\n");
        string[] typed = [$": c --apikey {Key}", $": c --apikey={Key}", $": export ANTHROPIC_API_KEY={Key}", $": ANTHROPIC_API_KEY={Key} c --apikey",
            ": c --apikey -r 1111", ": c --apikey-file /k", ": c work --apikey"];

        var bash = await Run.ProcessAsync("bash", ["--rcfile", dir["rc"], "-i"], stdin: string.Join('\n', typed) + "\nexit\n");

        Assert.True(bash.ExitCode == 0, bash.ToString());
        var history = File.ReadAllLines(dir["history"]);
        Assert.DoesNotContain(history, l => l.Contains(Key, StringComparison.Ordinal));
        Assert.Equal([": c --apikey -r 1111", ": c --apikey-file /k", ": c work --apikey", "exit"], history);
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, Private);
    }
}
