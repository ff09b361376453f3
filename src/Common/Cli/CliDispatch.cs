using AiSandbox.Common.Logging;

namespace AiSandbox.Common.Cli;

/// <summary>
/// A multi-call program's command table. The command is the name the binary was called by (argv[0], a
/// link such as <c>c</c> or <c>codex-login</c>), else the first word; the usage lists the table.
/// </summary>
/// <param name="synopsis">The usage's first line after "Usage: ".</param>
/// <param name="description">Prose between the synopsis and the table.</param>
/// <param name="verbs">The commands, in the order the usage lists them.</param>
/// <param name="footer">Prose after the table (environment, exit codes).</param>
public sealed class CliDispatch(string synopsis, string description, IReadOnlyList<CliVerb> verbs, string footer)
{
    private string? _usage;

    public IReadOnlyList<CliVerb> Verbs => verbs;

    public string Usage => _usage ??= Render();

    public CliVerb? Find(string word)
    {
        foreach (var verb in verbs)
        {
            if (verb.Answers(word))
            {
                return verb;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs the command named by argv[0] or by the first word (with the rest as its arguments). With no
    /// match: <paramref name="otherwise"/> when given (a program whose bare form is a command of its own),
    /// else the usage for no word or --help, and a usage error (exit 2) for an unknown one.
    /// </summary>
    public Task<int> RunAsync(CommandContext context, Func<CommandContext, Task<int>>? otherwise = null)
    {
        if (Find(context.Name) is { } called)
        {
            return called.Run(context);
        }

        var first = context.Args.Count > 0 ? context.Args[0] : null;
        if (first is not null && Find(first) is { } named)
        {
            var rest = new string[context.Args.Count - 1];
            for (var i = 0; i < rest.Length; i++)
            {
                rest[i] = context.Args[i + 1];
            }

            return named.Run(context with { Name = named.Name, Args = rest });
        }

        if (otherwise is not null)
        {
            return otherwise(context);
        }

        if (first is null or "-h" or "--help")
        {
            context.Stdout.Write(Usage);
            context.Stdout.Flush();
            return Task.FromResult(ExitCodes.Ok);
        }

        var error = first.StartsWith('-') ? UsageException.UnknownOption(first) : new UsageException("unknown command", ExitCodes.Usage, LogField.Quoted("command", first));
        return Task.FromResult(error.Report(context.Stderr, Usage));
    }

    private string Render()
    {
        var rows = new List<(string Label, string Help)>();
        foreach (var verb in verbs)
        {
            var label = verb.Args.Length > 0 ? verb.Name + " " + verb.Args : verb.Name;
            var summary = verb.Aliases.Length > 0 ? $"{verb.Summary} (alias {string.Join(", ", verb.Aliases)})" : verb.Summary;
            rows.Add((label, summary));
        }

        return CliUsage.Render("Usage: " + synopsis, description, "Commands:", rows, footer);
    }
}
