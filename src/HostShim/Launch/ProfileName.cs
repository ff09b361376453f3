namespace AiSandbox.HostShim.Launch;

/// <summary>
/// Profile names become parts of file names (<c>.credentials.&lt;p&gt;.json</c>, <c>codex_&lt;p&gt;</c>), so
/// both agents' names follow the baseline's Codex rule, <c>[A-Za-z0-9._-]+</c>, and may not contain
/// <c>..</c>. The baseline did not check Claude names at all.
/// </summary>
internal static class ProfileName
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 64
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
        && !name.Contains("..", StringComparison.Ordinal);
}
