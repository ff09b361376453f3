using AiSandbox.HostShim.Tokens;

namespace AiSandbox.HostShim;

/// <summary>What a command needs beyond its <see cref="Common.Cli.CommandContext"/>: the working directory, the repository, the chain API.</summary>
internal sealed record ShimServices(string Cwd, IClaudeChains Chains, string? RepoDir = null)
{
    public static ShimServices FromProcess(IClaudeChains chains) => new(Directory.GetCurrentDirectory(), chains);
}
