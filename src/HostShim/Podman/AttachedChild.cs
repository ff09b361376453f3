using System.Diagnostics;
using AiSandbox.Common.Unix;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// The attached <c>podman run</c>, however it was started: by <see cref="Process"/> on the inherited terminal,
/// or on a pty of the terminal relay. <see cref="Exited"/> gives its exit code once it has ended and its
/// output has reached the user's terminal.
/// </summary>
internal sealed class AttachedChild(int id, Task<int> exited)
{
    public int Id { get; } = id;

    public Task<int> Exited { get; } = exited;

    public static AttachedChild From(Process process) =>
        new(process.Id, WaitAsync(process));

    /// <summary>SIGKILL, the last resort of a stop.</summary>
    public void Kill() => _ = Signals.Kill(Id, 9);

    private static async Task<int> WaitAsync(Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
