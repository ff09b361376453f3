using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers;

/// <summary>Picks the launcher by the name the binary was called with (argv[0]), else by the first word.</summary>
internal static class LauncherDispatch
{
    public static CliDispatch Table { get; } = new(
        "ai-launcher <command> [args...]   (or call it as the command: c, cx, g, co, x, ...)",
        "",
        [
            Verb("c", "wait for services, prepare a Claude session home, exec claude"),
            Verb("cx", "wait for services, prepare a Codex home, run codex and sync its auth back"),
            Verb("g", "prepare a Gemini home, exec gemini"),
            Verb("co", "wait for services, exec copilot with its state in the profile's settings"),
            Verb("x", "leave the console shell (stops the sandbox)"),
            Verb("claude-login", "refresh this session's Claude credentials from history or settings", "l"),
            Verb("claude-hook", "Claude UserPromptSubmit hook: x exits, l logs in"),
        ],
        """
        s (start the services and the bundle step) is ai-supervisor's, called as s.

        Exit codes: 0 ok, 1 failure, 2 bad command line.
        """);

    public static Task<int> RunAsync(CommandContext context) => Table.RunAsync(context);

    private static CliVerb Verb(string name, string summary, params string[] aliases) =>
        new(name, summary, context => RunLauncherAsync(LauncherHost.FromProcess(context), context.Name), "", aliases);

    /// <summary>The launchers other than s; tests call this with an in-memory host.</summary>
    internal static Task<int> RunLauncherAsync(LauncherHost host, string name) => name switch
    {
        "c" => Claude.ClaudeCommand.RunAsync(host),
        "cx" => Codex.CodexCommand.RunAsync(host),
        "g" => Gemini.GeminiCommand.RunAsync(host),
        "co" => Copilot.CopilotCommand.RunAsync(host),
        "x" => Task.FromResult(Shell.ExitCommand.Run(host, Exec.Native.GetParentPid)),
        "claude-login" or "l" => Claude.ClaudeLoginCommand.RunAsync(host),
        "claude-hook" => Claude.ClaudeHookCommand.RunAsync(host),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a launcher"),
    };
}
