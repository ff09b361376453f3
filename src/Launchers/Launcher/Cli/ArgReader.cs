using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers.Cli;

/// <summary>
/// Walks argv for the launchers' small grammars: <c>--opt value</c>, <c>--opt=value</c>, short flags and
/// positionals, with the project's usage errors (unknown option, missing value).
/// </summary>
internal sealed class ArgReader(IReadOnlyList<string> args)
{
    private int _index;

    public string Current { get; private set; } = string.Empty;

    public bool Next()
    {
        if (_index >= args.Count)
        {
            return false;
        }

        Current = args[_index++];
        return true;
    }

    public bool IsHelp => Current is "-h" or "--help";

    /// <summary>The argument after the current one, not consumed; null at the end.</summary>
    public string? Peek => _index < args.Count ? args[_index] : null;

    /// <summary>True when the current argument is <paramref name="names"/> alone or <c>name=value</c>.</summary>
    public bool Is(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (Current == name || (name.StartsWith("--", StringComparison.Ordinal) && Current.StartsWith(name + "=", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The option's value: after <c>=</c>, else the next argument. An empty or missing value is a usage error.</summary>
    public string Value(string what)
    {
        var option = Current;
        var eq = option.IndexOf('=', StringComparison.Ordinal);
        string? value;
        if (option.StartsWith("--", StringComparison.Ordinal) && eq > 0)
        {
            value = option[(eq + 1)..];
            option = option[..eq];
        }
        else
        {
            value = _index < args.Count ? args[_index++] : null;
        }

        if (string.IsNullOrEmpty(value))
        {
            throw UsageException.MissingValue(option, what);
        }

        return value;
    }

    public bool IsOption => Current.Length > 1 && Current[0] == '-';
}
