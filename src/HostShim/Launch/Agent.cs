namespace AiSandbox.HostShim.Launch;

/// <summary>Which agent the console auto-launches; <see cref="None"/> is a plain shell.</summary>
internal enum Agent
{
    None,
    Claude,
    Codex,
    Copilot,
}
