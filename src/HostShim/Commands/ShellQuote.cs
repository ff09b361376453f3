namespace AiSandbox.HostShim.Commands;

/// <summary>Quotes an argument for a POSIX shell, only when it needs it: for printed plans a user can paste.</summary>
internal static class ShellQuote
{
    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '=' or ':' or ',' or '@' or '+')
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Join(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));
}
