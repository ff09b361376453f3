namespace AiSandbox.HostShim.Podman;

/// <summary>
/// Where the refresh before a launch runs: <c>host</c> (in-process, under the chain's flock on the
/// host's settings directory) or <c>container</c> (through the image, next to the sandboxes).
/// <c>AI_HOST_REFRESH</c> chooses; unset, it is <c>container</c> when podman is remote (a podman machine,
/// or CONTAINER_HOST set), since the host's flock does not reach into the VM.
/// </summary>
internal static class HostRefreshMode
{
    public const string Variable = "AI_HOST_REFRESH";

    /// <summary>True for the container mode; a value other than host or container is bad input (exit 2).</summary>
    public static bool InContainer(PodmanFacts facts, Func<string, string?> env) => env(Variable) switch
    {
        null or "" => facts.Remote || env("CONTAINER_HOST") is { Length: > 0 },
        "container" => true,
        "host" => false,
        var other => throw new FatalException("AI_HOST_REFRESH must be host or container", ("variable", Variable), ("value", other))
        {
            ExitCode = Common.Cli.ExitCodes.Usage,
        },
    };
}
