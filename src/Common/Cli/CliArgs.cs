namespace AiSandbox.Common.Cli;

/// <summary>A command line read against its <see cref="CliCommand"/>: the options given, the positionals, or a help request.</summary>
public sealed class CliArgs
{
    // Indexed like the command's options: plain arrays, no dictionary, since every launch pays for the
    // code a parse touches (a start-up is page faults, bench/README.md).
    private readonly IReadOnlyList<CliOption> _options;
    private readonly bool[] _given;
    private readonly string?[] _values;
    private readonly List<string>?[]? _repeated;

    internal CliArgs(bool help, IReadOnlyList<CliOption> options, bool[] given, string?[] values, List<string>?[]? repeated, List<string> positionals)
    {
        Help = help;
        _options = options;
        _given = given;
        _values = values;
        _repeated = repeated;
        Positionals = positionals;
    }

    /// <summary><c>-h</c> or <c>--help</c> came before any error: print the usage, exit 0.</summary>
    public bool Help { get; }

    public IReadOnlyList<string> Positionals { get; }

    public bool Has(CliOption option) => IndexOf(option) is var i and >= 0 && _given[i];

    /// <summary>The option's value, the last one when it was given more than once; null when absent or a bare flag.</summary>
    public string? Value(CliOption option) => IndexOf(option) is var i and >= 0 ? _values[i] : null;

    /// <summary>Every value the option was given, in order (<c>--ports 80 --ports 443</c>); empty when absent.</summary>
    public IReadOnlyList<string> Values(CliOption option)
    {
        var i = IndexOf(option);
        return i < 0 ? [] : _repeated?[i] is { } all ? all : _values[i] is { } one ? [one] : [];
    }

    public string? Positional(int index) => index < Positionals.Count ? Positionals[index] : null;

    private int IndexOf(CliOption option)
    {
        for (var i = 0; i < _options.Count; i++)
        {
            if (ReferenceEquals(_options[i], option))
            {
                return i;
            }
        }

        return -1;
    }
}
