using AiSandbox.Common.Cli;
using AiSandbox.HostShim.Launch;
using AiSandbox.TokenRefresher;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai login [profile]</c> (Claude's PKCE paste login, as <c>refresh-tokens --login</c>) and
/// <c>ai codex-login [profile] [--status]</c> (Codex's device code, as <c>codex-login</c>), both into the
/// host's <c>$AI_DIR/settings</c> whatever <c>CREDENTIALS_DIR</c> or <c>CODEX_HOME</c> say: that is the
/// directory every sandbox mounts.
/// </summary>
internal static class LoginCommands
{
    // Its --help and its errors show ai's usage, which has login's line.
    private static readonly CliCommand Claude = new("ai login [profile]", string.Empty, [new CliPositional("profile", "the Claude profile")], [], string.Empty);

    public static async Task<int> ClaudeAsync(CommandContext context, ShimServices services)
    {
        var parsed = Claude.Parse(context.Args);
        if (parsed.Help)
        {
            await context.Stdout.WriteAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var profile = parsed.Positional(0);
        if (profile is not null && !ProfileName.IsValid(profile))
        {
            throw new FatalException("invalid claude profile", ("profile", profile)) { ExitCode = ExitCodes.Usage };
        }

        var layout = HostLayout.From(context.Environment, services.Cwd, services.RepoDir);
        return await services.Chains.LoginAsync(layout, profile, context.Stdin, context.Stdout, context.Cancellation).ConfigureAwait(false)
            ? ExitCodes.Ok
            : ExitCodes.Failure;
    }

    public static Task<int> CodexAsync(CommandContext context, ShimServices services)
    {
        // codex-login parses and reports its own command line; only the profile decides the directory here.
        var profile = context.Args.FirstOrDefault(a => !a.StartsWith('-'));
        var aiDir = HostLayout.AiDirFrom(context.Environment, services.Cwd);
        var dir = Path.Combine(aiDir, "settings", profile is null ? "codex" : "codex_" + profile);
        var environment = context.Environment;
        return CodexLoginCommand.RunAsync(context with
        {
            Environment = name => name == "CODEX_SETTINGS_DIR" ? dir : name == "CODEX_HOME" ? null : environment(name),
        });
    }
}
