namespace AiSandbox.HostShim.Launch;

/// <summary>What <c>ai</c>'s command line asked for, after the grammar and before the file-system checks.</summary>
internal sealed record LaunchArguments
{
    public Agent Agent { get; init; }

    /// <summary>The Claude profile (bare word or after <c>c</c>/<c>claude</c>).</summary>
    public string? ClaudeProfile { get; init; }

    /// <summary>The Codex profile (after <c>cx</c>/<c>codex</c>).</summary>
    public string? CodexProfile { get; init; }

    /// <summary>The Copilot profile (after <c>co</c>/<c>copilot</c>): its state lives in settings/copilot_&lt;profile&gt;.</summary>
    public string? CopilotProfile { get; init; }

    public string? Resume { get; init; }

    public IReadOnlyList<PortSpec> Ports { get; init; } = [];

    public bool Remote { get; init; }

    public bool Fast { get; init; }

    public bool DryRun { get; init; }

    public bool Help { get; init; }
}
