using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.HostShim.Tokens;

namespace AiSandbox.HostShim.Launch;

/// <summary>
/// The baseline's checks, in its order, after the grammar: profile names, profile files, ports. A missing
/// profile file names the command that logs it in (<c>run=</c>); where <c>ai</c> will offer that login
/// itself (on a terminal), the missing file is left to the launch, after the ports are checked.
/// </summary>
internal static class LaunchValidator
{
    public static LaunchArguments Validate(LaunchArguments args, IReadOnlyList<string> portLists, HostLayout layout,
        Func<string, string?> env, bool offerLogin = false)
    {
        if (args.CodexProfile is { } codex && !ProfileName.IsValid(codex))
        {
            throw new FatalException("invalid codex profile", ("profile", codex)) { ExitCode = ExitCodes.Usage };
        }

        if (args.CopilotProfile is { } copilot && !ProfileName.IsValid(copilot))
        {
            throw new FatalException("invalid copilot profile", ("profile", copilot)) { ExitCode = ExitCodes.Usage };
        }

        if (args.ClaudeProfile is { } claude && !ProfileName.IsValid(claude))
        {
            throw new FatalException("invalid claude profile", ("profile", claude)) { ExitCode = ExitCodes.Usage };
        }

        if (args.ClaudeProfile is { } p && !offerLogin && !File.Exists(layout.ClaudeCredentials(p)))
        {
            throw new FatalException("claude profile not found", ("profile", p), ("path", layout.ClaudeCredentials(p)),
                ("run", LoginHint.Claude(env, p)));
        }

        if (args.CodexProfile is { } q && !offerLogin && !File.Exists(layout.CodexAuth(q)))
        {
            throw new FatalException("codex profile not found", ("profile", q), ("path", layout.CodexAuth(q)),
                ("run", LoginHint.Codex(env, q)));
        }

        var ports = new List<PortSpec>();
        foreach (var list in portLists)
        {
            ports.AddRange(PortSpec.ParseList(list));
        }

        return args with { Ports = ports };
    }

    /// <summary><c>PORT</c>, the container's primary port (default 1337).</summary>
    public static int PrimaryPort(Func<string, string?> env)
    {
        var text = env("PORT") is { Length: > 0 } value ? value : "1337";
        try
        {
            return PortSpec.Port(text, text);
        }
        catch (FatalException)
        {
            throw new FatalException("invalid PORT", ("value", text));
        }
    }

    /// <summary>The baseline's truthy values for <c>AI_REMOTE</c> and <c>AI_FAST</c>: 1, true, yes, on.</summary>
    public static bool Truthy(string? value) =>
        value?.ToLower(CultureInfo.InvariantCulture) is "1" or "true" or "yes" or "on";
}
