namespace AiSandbox.Launchers.SessionConfig;

/// <summary>
/// A template, profile file or session file could not be used. <see cref="Path"/> names the file so the
/// launcher prints one line a user can act on: <c>at=fatal msg="invalid Claude profile settings" path=…</c>.
/// </summary>
internal sealed class SessionConfigException(string message, string path, string? reason = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string Path { get; } = path;

    /// <summary>What the parser or the file system said, without file content (which may hold secrets).</summary>
    public string? Reason { get; } = reason;
}
