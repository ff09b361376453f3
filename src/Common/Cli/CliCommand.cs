using AiSandbox.Common.Logging;

namespace AiSandbox.Common.Cli;

/// <summary>
/// One command's command line as a table: its synopsis, positionals and options, with the prose around
/// them. From it come the parse (one-line usage errors with <see cref="UsageExitCode"/>) and the usage
/// text that <c>--help</c> prints and <c>docs/commands</c> holds, so the two cannot disagree.
/// </summary>
public sealed class CliCommand
{
    private string? _usage;
    private readonly string? _name;

    /// <param name="synopsis">The line after "Usage: ", e.g. <c>cx [profile] [-r|--resume ID]</c>.</param>
    /// <param name="description">The paragraphs between the synopsis and the table, as written.</param>
    /// <param name="footer">What follows the table (environment, exit codes), as written.</param>
    public CliCommand(string synopsis, string description, IReadOnlyList<CliPositional> positionals, IReadOnlyList<CliOption> options, string footer)
    {
        Synopsis = synopsis;
        Description = description;
        Positionals = positionals;
        Options = options;
        Footer = footer;
    }

    public string Synopsis { get; }

    public string Description { get; }

    public IReadOnlyList<CliPositional> Positionals { get; }

    public IReadOnlyList<CliOption> Options { get; }

    public string Footer { get; }

    /// <summary>What a missing required positional is reported against (<c>--find-active requires a profile</c>): the synopsis's first word unless set.</summary>
    public string Name
    {
        get => _name ?? Synopsis.Split(' ')[0];
        init => _name = value;
    }

    /// <summary>The exit code of a bad command line: 2, unless the baseline's command used another.</summary>
    public int UsageExitCode { get; init; } = ExitCodes.Usage;

    /// <summary>Once a positional is seen, every later word is one too (a command to run and its own options).</summary>
    public bool OptionsFirst { get; init; }

    /// <summary>The text --help prints, built on first use: most runs never print it.</summary>
    public string Usage => _usage ??= CliUsage.Render(this);

    /// <summary>
    /// Parses, or answers the command line itself: null after printing the usage for --help (exit code 0), or
    /// the fatal line and the usage for a bad line (its exit code).
    /// </summary>
    public CliArgs? ParseOrAnswer(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, out int exitCode) =>
        TryRead(args, stdout, stderr, static parsed => parsed, out var read, out exitCode) ? read : null;

    /// <summary>
    /// Parses and reads what the table cannot judge (a profile name, a range) in one step, or answers the command
    /// line itself: false after printing the usage for --help (exit code 0), or the fatal line and the usage
    /// for a bad line, whether the table or <paramref name="read"/> refused it (its exit code).
    /// </summary>
    public bool TryRead<T>(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<CliArgs, T> read, out T value, out int exitCode)
    {
        value = default!;
        exitCode = ExitCodes.Ok;
        try
        {
            var parsed = Parse(args);
            if (!parsed.Help)
            {
                value = read(parsed);
                return true;
            }

            stdout.Write(Usage);
            stdout.Flush();
        }
        catch (UsageException e)
        {
            exitCode = e.Report(stderr, Usage);
        }

        return false;
    }

    /// <exception cref="UsageException">The command line does not fit the table; the message names the bad word.</exception>
    public CliArgs Parse(IReadOnlyList<string> args)
    {
        var given = new bool[Options.Count];
        var values = new string?[Options.Count];
        List<string>?[]? repeated = null;
        var positionals = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            var optionsEnded = OptionsFirst && positionals.Count > 0;
            if (word is "-h" or "--help" && !optionsEnded)
            {
                return new CliArgs(true, Options, given, values, repeated, positionals);
            }

            if (word.Length > 1 && word[0] == '-' && !optionsEnded)
            {
                var eq = word.StartsWith("--", StringComparison.Ordinal) ? word.IndexOf('=', StringComparison.Ordinal) : -1;
                var name = eq > 0 ? word[..eq] : word;
                var index = Find(name);
                if (index < 0)
                {
                    throw UsageException.UnknownOption(word, UsageExitCode);
                }

                var option = Options[index];
                string? inline = eq > 0 ? word[(eq + 1)..] : null;
                var again = given[index] && values[index] is not null;
                given[index] = true;
                var value = option.Value switch
                {
                    OptionValue.None when inline is not null =>
                        throw new UsageException(name + " takes no value", UsageExitCode, LogField.Quoted("option", name)),
                    OptionValue.Required => NonEmpty(option, name, inline ?? (i + 1 < args.Count ? args[++i] : null)),
                    OptionValue.Optional when inline is not null => NonEmpty(option, name, inline),
                    _ => null,
                };
                if (again && value is not null)
                {
                    // Only a repeated option pays for the list; Value keeps answering the last one.
                    repeated ??= new List<string>?[Options.Count];
                    (repeated[index] ??= [values[index]!]).Add(value);
                }

                values[index] = value;
                continue;
            }

            if (positionals.Count >= Positionals.Count && Positionals is not [.., { Many: true }])
            {
                throw UsageException.UnexpectedArgument(word, UsageExitCode);
            }

            positionals.Add(word);
        }

        for (var p = positionals.Count; p < Positionals.Count; p++)
        {
            if (Positionals[p].Required)
            {
                throw UsageException.MissingValue(Name, Positionals[p].Wants ?? "a " + Positionals[p].Name, UsageExitCode);
            }
        }

        return new CliArgs(false, Options, given, values, repeated, positionals);
    }

    private int Find(string name)
    {
        for (var i = 0; i < Options.Count; i++)
        {
            if (Options[i].Names(name))
            {
                return i;
            }
        }

        return -1;
    }

    private string NonEmpty(CliOption option, string name, string? value) =>
        string.IsNullOrEmpty(value) ? throw UsageException.MissingValue(name, option.Wants ?? option.ValueName ?? "a value", UsageExitCode) : value;
}
