namespace AiSandbox.Common.Cli;

/// <summary>Whether an option stands alone, takes a value, or may take one after <c>=</c>.</summary>
public enum OptionValue
{
    /// <summary><c>--fast</c>; <c>--fast=x</c> is refused.</summary>
    None,

    /// <summary><c>--resume ID</c> or <c>--resume=ID</c>; a missing or empty value is refused.</summary>
    Required,

    /// <summary><c>--debug</c> or <c>--debug=FILTER</c>; the next word is never taken as its value.</summary>
    Optional,
}

/// <summary>
/// One option of a command's table: its names (<paramref name="Name"/> <c>--resume</c>, <paramref name="ShortName"/>
/// <c>-r</c>), whether it takes a value, and its line in the usage. <paramref name="ValueName"/> is what the usage
/// shows for the value (<c>ID</c>); <paramref name="Wants"/> what a missing-value error asks for ("a session id").
/// </summary>
public sealed record CliOption(string Name, string? ShortName, OptionValue Value, string Help, string? ValueName = null, string? Wants = null)
{
    public static CliOption Flag(string name, string help, string? shortName = null) => new(name, shortName, OptionValue.None, help);

    public static CliOption WithValue(string name, string valueName, string wants, string help, string? shortName = null) =>
        new(name, shortName, OptionValue.Required, help, valueName, wants);

    public static CliOption OptionalValue(string name, string valueName, string help, string? shortName = null) =>
        new(name, shortName, OptionValue.Optional, help, valueName);

    /// <summary>What the usage's option column shows: <c>-r, --resume ID</c>, <c>--debug[=F]</c>.</summary>
    public string Label
    {
        get
        {
            var names = ShortName is null ? Name : ShortName + ", " + Name;
            return Value switch
            {
                OptionValue.Required => names + " " + ValueName,
                OptionValue.Optional => names + "[=" + ValueName + "]",
                _ => names,
            };
        }
    }

    /// <summary>True when <paramref name="word"/> is this option's name or short name, written alone.</summary>
    public bool Names(string word) => word == Name || (ShortName is not null && word == ShortName);
}

/// <summary>A word that is not an option, in order: the usage shows <paramref name="Name"/> and its help.</summary>
/// <param name="Required">Missing, it is a usage error that asks for <paramref name="Wants"/> ("a profile").</param>
/// <param name="Many">Takes every remaining word (only the last positional may).</param>
public sealed record CliPositional(string Name, string Help, bool Required = false, bool Many = false, string? Wants = null);
