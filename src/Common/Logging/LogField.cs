namespace AiSandbox.Common.Logging;

/// <summary>
/// One <c>key=value</c> pair of a logfmt line. <see cref="AlwaysQuote"/> reproduces the baseline's
/// habit of quoting some values (for example <c>option="--bogus"</c>) even when they need no quotes.
/// </summary>
public readonly record struct LogField(string Key, string? Value, bool AlwaysQuote = false)
{
    public static LogField Quoted(string key, string? value) => new(key, value, AlwaysQuote: true);

    public static implicit operator LogField((string Key, string? Value) pair) => new(pair.Key, pair.Value);

    public static implicit operator LogField((string Key, long Value) pair) =>
        new(pair.Key, pair.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
