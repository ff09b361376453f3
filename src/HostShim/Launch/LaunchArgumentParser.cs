using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;

namespace AiSandbox.HostShim.Launch;

/// <summary>
/// The grammar <c>ai [profile | cx [profile] | co [profile] | c|claude [profile] | codex|copilot [profile]] [options]</c>: the
/// baseline's bare Claude profile and the newer explicit agent words, options anywhere. Only the
/// command line is checked here; files and values are checked by <see cref="LaunchValidator"/>.
/// </summary>
internal static class LaunchArgumentParser
{
    private static readonly string[] VmOptions = ["--vm", "--keep-vm", "--gpu", "--nested-virt", "--cpus", "--memory"];
    private static readonly string[] BridgeOptions = ["--1password", "--udp-ports", "--macos", "--host-browser", "--github"];

    /// <summary>Raw <c>--ports</c> lists, in order; parsed by the validator so its checks keep the baseline's order.</summary>
    public static (LaunchArguments Arguments, IReadOnlyList<string> PortLists) Parse(IReadOnlyList<string> args)
    {
        var result = new LaunchArguments();
        var ports = new List<string>();
        var agentWordSeen = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    return (result with { Help = true }, ports);
                case "-r" or "--resume":
                    result = result with { Resume = Value(args, ref i, "a session id") };
                    continue;
                case "--ports":
                    ports.Add(Value(args, ref i, "an argument"));
                    continue;
                case "--remote":
                    result = result with { Remote = true };
                    continue;
                case "--fast":
                    result = result with { Fast = true };
                    continue;
                case "--dry-run":
                    result = result with { DryRun = true };
                    continue;
            }

            if (arg.StartsWith("--resume=", StringComparison.Ordinal))
            {
                var id = arg["--resume=".Length..];
                result = result with { Resume = id.Length > 0 ? id : throw MissingValue("--resume", "a session id") };
                continue;
            }

            if (arg.StartsWith("--ports=", StringComparison.Ordinal))
            {
                var list = arg["--ports=".Length..];
                ports.Add(list.Length > 0 ? list : throw MissingValue("--ports", "an argument"));
                continue;
            }

            if (arg.StartsWith('-'))
            {
                if (Unsupported(arg) is { } unsupported)
                {
                    throw unsupported;
                }

                throw UsageException.UnknownOption(arg, ExitCodes.Failure);
            }

            result = Positional(result, arg, ref agentWordSeen);
        }

        if (result.Agent == Agent.None && (result.ClaudeProfile is not null || result.Resume is not null))
        {
            // The baseline's grammar: a bare profile, or a bare --resume, means Claude.
            result = result with { Agent = Agent.Claude };
        }

        return (result, ports);
    }

    private static LaunchArguments Positional(LaunchArguments result, string word, ref bool agentWordSeen)
    {
        var agent = word switch
        {
            "c" or "claude" => Agent.Claude,
            "cx" or "codex" => Agent.Codex,
            "co" or "copilot" => Agent.Copilot,
            _ => Agent.None,
        };
        if (agent != Agent.None)
        {
            // `ai work cx`, `ai c c`, `ai c cx`: one agent, named before its profile.
            if (agentWordSeen || result.ClaudeProfile is not null)
            {
                throw UsageException.UnexpectedArgument(word, ExitCodes.Failure);
            }

            agentWordSeen = true;
            return result with { Agent = agent };
        }

        if (result.Agent == Agent.Copilot)
        {
            return result.CopilotProfile is null ? result with { CopilotProfile = word } : throw UsageException.UnexpectedArgument(word, ExitCodes.Failure);
        }

        if (result.Agent == Agent.Codex)
        {
            return result.CodexProfile is null ? result with { CodexProfile = word } : throw UsageException.UnexpectedArgument(word, ExitCodes.Failure);
        }

        return result.ClaudeProfile is null ? result with { ClaudeProfile = word } : throw UsageException.UnexpectedArgument(word, ExitCodes.Failure);
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string what)
    {
        if (i + 1 >= args.Count || args[i + 1].Length == 0)
        {
            throw MissingValue(args[i] == "-r" ? "--resume" : args[i], what);
        }

        i++;
        return args[i];
    }

    private static UsageException MissingValue(string option, string what) => UsageException.MissingValue(option, what, ExitCodes.Failure);

    // The VM backend and the host bridges are not part of this sandbox: say so instead of "unknown option".
    private static FatalException? Unsupported(string arg)
    {
        var name = arg.Split('=', 2)[0];
        if (VmOptions.Contains(name))
        {
            return new FatalException("the VM backend is not supported: the sandbox runs under podman only", LogField.Quoted("option", name));
        }

        return BridgeOptions.Contains(name)
            ? new FatalException("host bridges are not supported", LogField.Quoted("option", name))
            : null;
    }
}
