using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// The three things the host asks of a profile's Claude OAuth chain before a launch. The refresh-tokens
/// library does the work in-process, under the chain's lock; this seam keeps HostShim's flow testable.
/// </summary>
internal interface IClaudeChains
{
    /// <summary>
    /// Brings the profile's settings copy up to date: adopts a newer active copy from history, or refreshes
    /// when due; a valid chain is left alone. Returns the history copy adopted, if any.
    /// </summary>
    Task<string?> RefreshAsync(HostLayout layout, string profile, CancellationToken cancellation);

    /// <summary>Copies the newest active session copy from history over the settings copy; false when there is none.</summary>
    Task<bool> RecoverFromHistoryAsync(HostLayout layout, string profile, CancellationToken cancellation);

    /// <summary>The interactive PKCE login (a null profile: <c>.credentials.json</c>); the prompt goes to <paramref name="output"/>, the code comes from <paramref name="input"/>.</summary>
    Task<bool> LoginAsync(HostLayout layout, string? profile, TextReader input, TextWriter output, CancellationToken cancellation);
}
