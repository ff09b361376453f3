using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers;

/// <summary>Picks the launcher by the name the binary was called with (argv[0]).</summary>
internal static class LauncherDispatch
{
    public static readonly IReadOnlyDictionary<string, string> Commands = new Dictionary<string, string>
    {
        ["c"] = "wait for services, prepare a Claude session home, exec claude",
        ["cx"] = "wait for services, prepare a Codex home, run codex and sync its auth back",
        ["g"] = "prepare a Gemini home, exec gemini",
        ["co"] = "wait for services, exec copilot with its state in the profile's settings",
        ["x"] = "leave the console shell (stops the sandbox)",
        ["claude-login"] = "refresh this session's Claude credentials from history or settings",
        ["l"] = "alias of claude-login",
        ["claude-hook"] = "Claude UserPromptSubmit hook: x exits, l logs in",
    };

    public const string Usage = """
        Usage: ai-launcher <command> [args...]   (or call it as the command: c, cx, g, co, x, ...)

        Commands:
          c             wait for services, prepare a Claude session home, exec claude
          cx            wait for services, prepare a Codex home, run codex and sync its auth back
          g             prepare a Gemini home, exec gemini
          co            wait for services, exec copilot with its state in the profile's settings
          x             leave the console shell (stops the sandbox)
          claude-login  refresh this session's Claude credentials from history or settings (alias l)
          claude-hook   Claude UserPromptSubmit hook: x exits, l logs in

        s (start the services and the bundle step) is its own program, ai-start.

        Exit codes: 0 ok, 1 failure, 2 bad command line.

        """;

    public static Task<int> RunAsync(CommandContext context)
    {
        var name = context.Name;
        var args = context.Args;
        if (!Commands.ContainsKey(name))
        {
            // Called as ai-launcher itself: the first argument names the command.
            if (args.Count == 0 || args[0] is "-h" or "--help")
            {
                context.Stdout.Write(Usage);
                return Task.FromResult(ExitCodes.Ok);
            }

            if (!Commands.ContainsKey(args[0]))
            {
                return Task.FromResult(new UsageException("unknown command", ExitCodes.Usage, Common.Logging.LogField.Quoted("command", args[0]))
                    .Report(context.Stderr, Usage));
            }

            name = args[0];
            context = context with { Name = name, Args = args.Skip(1).ToArray() };
        }

        return RunLauncherAsync(LauncherHost.FromProcess(context), name);
    }

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
