using AiSandbox.HostShim.Launch;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// Stand-in until the refresh-tokens library offers its chain API: nothing is refreshed or recovered and
/// login is unavailable, so only an unexpired settings copy lets a Claude profile start.
/// </summary>
internal sealed class PendingClaudeChains : IClaudeChains
{
    public Task<string?> RefreshAsync(HostLayout layout, string profile, CancellationToken cancellation) => Task.FromResult<string?>(null);

    public Task<bool> RecoverFromHistoryAsync(HostLayout layout, string profile, CancellationToken cancellation) => Task.FromResult(false);

    public async Task<bool> LoginAsync(HostLayout layout, string profile, TextReader input, TextWriter output, CancellationToken cancellation)
    {
        await output.WriteLineAsync("interactive login is not available in this build: run refresh-tokens --login " + profile).ConfigureAwait(false);
        return false;
    }
}
