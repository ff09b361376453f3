namespace AiSandbox.Launchers.Exec;

/// <summary>What a launcher hands over to: program name (looked up on PATH), arguments, the full environment, working directory.</summary>
internal sealed record AgentCommand(
    string Program,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Environment,
    string? WorkingDirectory = null);

/// <summary>
/// How the agent is started. The real one replaces the process (execve) or runs a child; tests in the same
/// process record the command instead.
/// </summary>
internal interface IAgentRunner
{
    /// <summary>Replaces the current process. Returns only on failure, with the exit code to use.</summary>
    int Exec(AgentCommand command, TextWriter stderr);

    /// <summary>Runs the agent as a child with this terminal and returns its exit code.</summary>
    Task<int> RunAsync(AgentCommand command, TextWriter stderr, CancellationToken cancellationToken);
}
