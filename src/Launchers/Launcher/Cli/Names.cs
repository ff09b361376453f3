using System.Text.RegularExpressions;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers.Cli;

/// <summary>
/// Profile and session names become path components. Profiles follow the project's one rule,
/// <see cref="ProfileName"/>, shared with <c>ai</c>, <c>refresh-tokens</c> and the daemon.
/// </summary>
internal static partial class Names
{
    public static bool IsValidProfile(string? name) => ProfileName.IsValid(name);

    /// <summary>Resume ids are matched as file-name prefixes: letters, digits, <c>_</c> and <c>-</c> only.</summary>
    public static bool IsValidSessionId(string? id) => id is { Length: > 0 } && SessionIdPattern().IsMatch(id);

    public static string Profile(string name, string message = "invalid profile") =>
        IsValidProfile(name) ? name : throw new UsageException(message, ExitCodes.Usage, LogField.Quoted("profile", name));

    /// <summary>A profile word that may be absent (a launcher's optional positional): null stays null.</summary>
    public static string? OptionalProfile(string? name, string message = "invalid profile") =>
        name is null ? null : Profile(name, message);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex SessionIdPattern();
}
