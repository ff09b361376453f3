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

    private static readonly CliOption Resume = CliOption.WithValue("--resume", "ID", "a session id",
        "resume an agent session (Claude unless cx/codex or co/copilot)", "-r");

    private static readonly CliOption Ports = CliOption.WithValue("--ports", "LIST", "an argument",
        "extra published ports, comma-separated: N, HOST:CONTAINER or\nADDR:HOST:CONTAINER (without ADDR: 127.0.0.1)");

    private static readonly CliOption Remote = CliOption.Flag("--remote", "enable Claude remote control (AI_REMOTE=1)");
    private static readonly CliOption Fast = CliOption.Flag("--fast", "enable Claude fast mode (AI_FAST=1)");
    private static readonly CliOption DryRun = CliOption.Flag("--dry-run", "print the podman command, one argument per line, and exit");

    // The words are read by hand below: which of them is an agent and which a profile depends on their order.
    public static readonly CliCommand Command = new(
        Usage.Synopsis,
        Usage.Description,
        [new CliPositional("[agent] [profile]", "c|claude, cx|codex or co|copilot, then its profile;\na bare word is a Claude profile", Many: true)],
        [Resume, Ports, Remote, Fast, DryRun],
        Usage.Footer)
    {
        Name = "ai",
        UsageExitCode = ExitCodes.Failure, // the baseline's bin/ai exits 1 on every fatal
    };

    /// <summary>Raw <c>--ports</c> lists, in order; parsed by the validator so its checks keep the baseline's order.</summary>
    public static (LaunchArguments Arguments, IReadOnlyList<string> PortLists) Parse(IReadOnlyList<string> args)
    {
        CliArgs parsed;
        try
        {
            parsed = Command.Parse(args);
        }
        catch (UsageException e)
        {
            throw Baseline(e);
        }

        if (parsed.Help)
        {
            return (new LaunchArguments { Help = true }, []);
        }

        var result = new LaunchArguments
        {
            Resume = parsed.Value(Resume),
            Remote = parsed.Has(Remote),
            Fast = parsed.Has(Fast),
            DryRun = parsed.Has(DryRun),
        };
        var agentWordSeen = false;
        foreach (var word in parsed.Positionals)
        {
            result = Positional(result, word, ref agentWordSeen);
        }

        if (result.Agent == Agent.None && (result.ClaudeProfile is not null || result.Resume is not null))
        {
            // The baseline's grammar: a bare profile, or a bare --resume, means Claude.
            result = result with { Agent = Agent.Claude };
        }

        return (result, parsed.Values(Ports));
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

    /// <summary>The baseline's answers where the table's differ: a missing <c>-r</c> value is named as <c>--resume</c>, and
    /// the VM backend's and the host bridges' options say they are not supported instead of "unknown option".</summary>
    private static Exception Baseline(UsageException error)
    {
        var option = error.Fields.FirstOrDefault(f => f.Key == "option").Value;
        if (option == Resume.ShortName && error.Message.StartsWith(option + " requires", StringComparison.Ordinal))
        {
            return UsageException.MissingValue(Resume.Name, Resume.Wants!, ExitCodes.Failure);
        }

        return error.Message == "unknown option" && option is not null && Unsupported(option) is { } unsupported ? unsupported : error;
    }

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
