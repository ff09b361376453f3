namespace AiSandbox.HostShim.Sandboxes;

/// <summary>One sandbox as <c>podman ps</c> describes it: what <c>ai</c> put in its name and labels, and what podman knows.</summary>
/// <param name="Name">The container name (<c>ai-c-NN-&lt;project&gt;</c>).</param>
/// <param name="Project">The <c>project</c> label; empty for a sandbox started before <c>ai</c> labelled it.</param>
/// <param name="Agent">The <c>agent</c> label: <c>claude</c>, <c>codex</c> or empty (a shell).</param>
/// <param name="Profile">The <c>profile</c> label; empty when none was named.</param>
/// <param name="StartedAt">When its PID 1 started; null when podman did not say.</param>
/// <param name="Ports">Published ports as <c>HOST_IP:HOST_PORT-&gt;CONTAINER_PORT/PROTO</c>.</param>
internal sealed record SandboxEntry(string Name, string Project, string Agent, string Profile, DateTimeOffset? StartedAt, IReadOnlyList<string> Ports);
