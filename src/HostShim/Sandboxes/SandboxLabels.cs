using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Sandboxes;

/// <summary>
/// The labels <c>ai</c> gives every sandbox, so <c>ai ps</c> reads what was launched instead of guessing it
/// from the name: <c>cwd</c> and <c>agent</c> (the baseline's), <c>project</c> and <c>profile</c>.
/// </summary>
internal static class SandboxLabels
{
    public const string Cwd = "cwd";
    public const string Agent = "agent";
    public const string Project = "project";
    public const string Profile = "profile";

    /// <summary>The <c>--label</c> pairs for one launch, in a fixed order.</summary>
    public static IReadOnlyList<string> Arguments(LaunchArguments args, HostLayout layout) =>
    [
        "--label", $"{Cwd}={layout.CwdLabel}",
        "--label", $"{Agent}={PodmanRunPlan.AgentLabel(args.Agent)}",
        "--label", $"{Project}={layout.ProjectDirName}",
        "--label", $"{Profile}={args.ClaudeProfile ?? args.CodexProfile ?? string.Empty}",
    ];
}
