using AiSandbox.HostShim.Commands;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// The exact command that logs a profile in, as the person typed <c>ai</c>: bin/ai exports how it was
/// called (<c>AI_INVOKED_AS</c>, e.g. <c>bin/ai</c> or <c>../aisandbox/bin/ai</c>), so the line can be pasted
/// in the same directory; the bare binary says <c>ai</c>.
/// </summary>
internal static class LoginHint
{
    public static string Claude(Func<string, string?> env, string? profile) => Command(env, "login", profile);

    public static string Codex(Func<string, string?> env, string? profile) => Command(env, "codex-login", profile);

    private static string Command(Func<string, string?> env, string verb, string? profile)
    {
        var shim = env("AI_INVOKED_AS") is { Length: > 0 } invoked ? ShellQuote.Quote(invoked) : "ai";
        return profile is null ? $"{shim} {verb}" : $"{shim} {verb} {ShellQuote.Quote(profile)}";
    }
}
