using AiSandbox.HostShim.Tokens;

namespace AiSandbox.HostShim;

/// <summary>What a command needs beyond its <see cref="Common.Cli.CommandContext"/>: the working directory, the repository, the chain API.</summary>
/// <param name="ChildEnvironment">Variables set (or, when null, removed) for podman on top of the inherited
/// environment; tests use it to hand their environment to the podman they run in-process.</param>
/// <param name="StdinIsTerminal">Whether a person can answer a prompt on stdin; default isatty(0). Tests that
/// drive <c>ai</c> in-process say which case they play.</param>
/// <param name="Host">The host's limits and runtimes; null reads them from this process.</param>
internal sealed record ShimServices(string Cwd, IClaudeChains Chains, string? RepoDir = null,
    IReadOnlyDictionary<string, string?>? ChildEnvironment = null, Func<bool>? StdinIsTerminal = null, Podman.HostFacts? Host = null)
{
    public bool CanPrompt => StdinIsTerminal?.Invoke() ?? Podman.Native.IsATty(0) == 1;

    public Podman.HostFacts HostFacts(Common.Cli.CommandContext context) =>
        Host ?? Podman.HostFacts.FromProcess(context.Environment);

    /// <summary>The podman on the context's PATH, run with <see cref="ChildEnvironment"/>; null when missing.</summary>
    public Podman.PodmanCli? FindPodman(Common.Cli.CommandContext context) =>
        Podman.PodmanCli.Find(context.Environment, ChildEnvironment);

    public Podman.PodmanCli RequirePodman(Common.Cli.CommandContext context) =>
        FindPodman(context) ?? throw Podman.PodmanCli.NotFound();

    public static ShimServices FromProcess(IClaudeChains chains) => new(Directory.GetCurrentDirectory(), chains);
}
