namespace AiSandbox.Common.Cli;

/// <summary>A command line read against its <see cref="CliCommand"/>: the options given, the positionals, or a help request.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<CliOption, string?> _options;

    internal CliArgs(bool help, Dictionary<CliOption, string?> options, List<string> positionals)
    {
        Help = help;
        _options = options;
        Positionals = positionals;
    }

    /// <summary><c>-h</c> or <c>--help</c> came before any error: print the usage, exit 0.</summary>
    public bool Help { get; }

    public IReadOnlyList<string> Positionals { get; }

    public bool Has(CliOption option) => _options.ContainsKey(option);

    /// <summary>The option's value, the last one when it was given more than once; null when absent or a bare flag.</summary>
    public string? Value(CliOption option) => _options.GetValueOrDefault(option);

    public string? Positional(int index) => index < Positionals.Count ? Positionals[index] : null;
}
