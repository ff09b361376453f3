using AiSandbox.Common.Cli;

namespace AiSandbox.Common.Tests.Cli;

/// <summary>The command-line table: what it accepts, the one-line errors it gives, and the usage it prints.</summary>
public sealed class CliCommandTests
{
    private static readonly CliOption Resume = CliOption.WithValue("--resume", "ID", "a session id", "resume the session", "-r");
    private static readonly CliOption Debug = CliOption.OptionalValue("--debug", "F", "pass --debug [F]", "-d");
    private static readonly CliOption Fast = CliOption.Flag("--fast", "start in fast mode\n(also AI_FAST=1)");

    private static readonly CliCommand Command = new(
        "t [profile] [-r|--resume ID] [-d|--debug[=F]] [--fast]",
        "Does a thing.",
        [new CliPositional("profile", "a profile")],
        [Resume, Debug, Fast],
        "Exit codes: 0 ok, 2 bad command line.");

    [Fact]
    public void Reads_options_in_every_form_and_the_positional()
    {
        var args = Command.Parse(["-r", "abc", "work", "--debug=api", "--fast"]);
        Assert.False(args.Help);
        Assert.Equal("abc", args.Value(Resume));
        Assert.Equal("api", args.Value(Debug));
        Assert.True(args.Has(Fast));
        Assert.Null(args.Value(Fast));
        Assert.Equal(["work"], args.Positionals);

        args = Command.Parse(["--resume=xyz", "-d"]);
        Assert.Equal("xyz", args.Value(Resume));
        Assert.True(args.Has(Debug));
        Assert.Null(args.Value(Debug));
        Assert.False(args.Has(Fast));
        Assert.Null(args.Positional(0));
    }

    [Fact]
    public void A_repeated_option_keeps_every_value_and_answers_the_last()
    {
        var args = Command.Parse(["-r", "a", "--resume=b", "work", "-r", "c"]);
        Assert.Equal(["a", "b", "c"], args.Values(Resume));
        Assert.Equal("c", args.Value(Resume));
        Assert.Equal(["x"], Command.Parse(["-r", "x"]).Values(Resume));
        Assert.Empty(Command.Parse(["work"]).Values(Resume));
    }

    [Fact]
    public void An_optional_value_never_takes_the_next_word() =>
        Assert.Equal(["work"], Command.Parse(["--debug", "work"]).Positionals);

    [Fact]
    public void Help_wins_over_what_follows_it() => Assert.True(Command.Parse(["work", "--help", "--bogus"]).Help);

    [Theory]
    [InlineData("unknown option", "option=\"--bogus\"", "--bogus")]
    [InlineData("unknown option", "option=\"--bogus=1\"", "--bogus=1")]
    [InlineData("--resume requires a session id", "option=\"--resume\"", "--resume")]
    [InlineData("--resume requires a session id", "option=\"--resume\"", "--resume=")]
    [InlineData("--debug requires F", "option=\"--debug\"", "--debug=")]
    [InlineData("--fast takes no value", "option=\"--fast\"", "--fast=1")]
    [InlineData("unexpected argument", "arg=\"two\"", "one", "two")]
    public void A_bad_line_is_one_fatal_line_naming_the_word(string message, string field, params string[] args)
    {
        var error = Assert.Throws<UsageException>(() => Command.Parse(args));
        Assert.Equal(2, error.ExitCode);
        var stderr = new StringWriter();
        error.Report(stderr, Command.Usage);
        var first = stderr.ToString().Split('\n')[0];
        Assert.Equal($"at=fatal msg=\"{message}\" {field}", first);
        Assert.Contains("Usage: t [profile]", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Try_read_reports_a_refusal_of_its_reader_like_one_of_the_table()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.False(Command.TryRead(["../x"], stdout, stderr,
            args => args.Positional(0) is "../x" ? throw new UsageException("invalid profile", 2, Logging.LogField.Quoted("profile", "../x")) : args.Positional(0),
            out _, out var exit));
        Assert.Equal(2, exit);
        Assert.Equal("at=fatal msg=\"invalid profile\" profile=\"../x\"", stderr.ToString().Split('\n')[0]);
        Assert.Contains("Usage: t [profile]", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());

        Assert.True(Command.TryRead(["work"], stdout, stderr, args => args.Positional(0), out var profile, out exit));
        Assert.Equal(("work", 0), (profile, exit));

        Assert.False(Command.TryRead(["--help"], stdout, stderr, args => args.Positional(0), out _, out exit));
        Assert.Equal(0, exit);
        Assert.StartsWith("Usage: t [profile]", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_positional_names_the_command()
    {
        var command = new CliCommand("t --find <profile>", "", [new CliPositional("profile", "", Required: true)], [], "") { Name = "--find" };
        var error = Assert.Throws<UsageException>(() => command.Parse([]));
        Assert.Equal("--find requires a profile", error.Message);
    }

    [Fact]
    public void Options_first_leaves_the_words_after_the_first_positional_alone()
    {
        var command = new CliCommand("t [name] [command...]", "", [new("name", ""), new("command", "", Many: true)], [], "")
        {
            OptionsFirst = true,
            UsageExitCode = 1,
        };
        Assert.Equal(["box", "ls", "-la"], command.Parse(["box", "ls", "-la"]).Positionals);
        Assert.Equal(["box", "grep", "--help"], command.Parse(["box", "grep", "--help"]).Positionals);
        Assert.Equal(1, Assert.Throws<UsageException>(() => command.Parse(["-x"])).ExitCode);
    }

    [Fact]
    public void The_usage_is_the_table_in_two_columns()
    {
        Assert.Equal(
            """
            Usage: t [profile] [-r|--resume ID] [-d|--debug[=F]] [--fast]

            Does a thing.

              profile          a profile
              -r, --resume ID  resume the session
              -d, --debug[=F]  pass --debug [F]
              --fast           start in fast mode
                               (also AI_FAST=1)
              -h, --help       this text

            Exit codes: 0 ok, 2 bad command line.

            """.ReplaceLineEndings("\n"),
            Command.Usage);
    }
}
