namespace AiSandbox.Common.Cli;

/// <summary>
/// The one rule for a profile name, shared by <c>ai</c>, the launchers, <c>refresh-tokens</c>,
/// <c>codex-login</c> and the daemon's file-name rule (<c>.credentials.&lt;profile&gt;.json</c>), so a name
/// one of them accepts is never refused by another. Names become parts of file names
/// (<c>.credentials.&lt;p&gt;.json</c>, <c>codex_&lt;p&gt;</c>, <c>claude_&lt;p&gt;</c>): 1 to 64 of
/// <c>[A-Za-z0-9._-]</c>, starting with a letter or digit (so never <c>.</c>, <c>..</c>, a hidden name or
/// something that reads as an option), and never containing <c>..</c>.
/// </summary>
public static class ProfileName
{
    public const int MaxLength = 64;

    /// <summary>What a valid name looks like, for error messages and help texts.</summary>
    public const string Rule = "1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit, no '..'";

    public static bool IsValid(string? name)
    {
        if (name is not { Length: > 0 and <= MaxLength } || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return !name.Contains("..", StringComparison.Ordinal);
    }
}
