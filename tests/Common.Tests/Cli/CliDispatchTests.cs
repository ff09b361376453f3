using AiSandbox.Common.Cli;

namespace AiSandbox.Common.Tests.Cli;

/// <summary>A multi-call program's table: by argv[0], by first word, its usage and its unknown-command line.</summary>
public sealed class CliDispatchTests
{
    private static CliDispatch Table(List<string> calls) => new(
        "prog <command> [args...]",
        "",
        [
            new CliVerb("one", "the first", c => Record(calls, c), "[profile]"),
            new CliVerb("two", "the second", c => Record(calls, c), "", "2"),
        ],
        "Exit codes: 0 ok, 2 bad command line.");

    private static Task<int> Record(List<string> calls, CommandContext context)
    {
        calls.Add(context.Name + ":" + string.Join(",", context.Args));
        return Task.FromResult(7);
    }

    private static (CommandContext Context, StringWriter Out, StringWriter Err) Context(string name, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        return (new CommandContext(name, args, TextReader.Null, stdout, stderr, _ => null, TimeProvider.System, default), stdout, stderr);
    }

    [Fact]
    public async Task Argv0_then_first_word_then_alias_pick_the_command()
    {
        var calls = new List<string>();
        var table = Table(calls);
        Assert.Equal(7, await table.RunAsync(Context("one", "a").Context));
        Assert.Equal(7, await table.RunAsync(Context("prog", "two", "b").Context));
        Assert.Equal(7, await table.RunAsync(Context("prog", "2").Context));
        Assert.Equal(["one:a", "two:b", "two:"], calls);
    }

    [Fact]
    public async Task No_word_or_help_prints_the_table()
    {
        var (context, stdout, _) = Context("prog", "--help");
        Assert.Equal(0, await Table([]).RunAsync(context));
        Assert.Equal(
            """
            Usage: prog <command> [args...]

            Commands:
              one [profile]  the first
              two            the second (alias 2)

            Exit codes: 0 ok, 2 bad command line.

            """.ReplaceLineEndings("\n"),
            stdout.ToString());
    }

    [Theory]
    [InlineData("three", "at=fatal msg=\"unknown command\" command=\"three\"")]
    [InlineData("--three", "at=fatal msg=\"unknown option\" option=\"--three\"")]
    public async Task An_unknown_command_is_one_line_and_exit_2(string word, string line)
    {
        var (context, _, stderr) = Context("prog", word);
        Assert.Equal(2, await Table([]).RunAsync(context));
        Assert.Equal(line, stderr.ToString().Split('\n')[0]);
    }

    [Fact]
    public async Task Otherwise_takes_what_names_no_command()
    {
        var (context, _, _) = Context("prog", "work");
        Assert.Equal(5, await Table([]).RunAsync(context, _ => Task.FromResult(5)));
    }
}
