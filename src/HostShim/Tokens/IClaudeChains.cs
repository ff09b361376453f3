using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// The three things the host asks of a profile's Claude OAuth chain before a launch. The refresh-tokens
/// library does the work in-process, under the chain's lock; this seam keeps HostShim's flow testable.
/// </summary>
internal interface IClaudeChains
{
    /// <summary>Refreshes the profile's chain when it is due; a valid chain is left alone.</summary>
    Task RefreshAsync(HostLayout layout, string profile, CancellationToken cancellation);

    /// <summary>Copies the newest active session copy from history over the settings copy; false when there is none.</summary>
    Task<bool> RecoverFromHistoryAsync(HostLayout layout, string profile, CancellationToken cancellation);

    /// <summary>The interactive PKCE login; the prompt goes to <paramref name="output"/>, the code comes from <paramref name="input"/>.</summary>
    Task<bool> LoginAsync(HostLayout layout, string profile, TextReader input, TextWriter output, CancellationToken cancellation);
}
