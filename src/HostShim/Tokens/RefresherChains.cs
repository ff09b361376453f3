using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Launch;
using AiSandbox.TokenRefresher;
using AiSandbox.TokenRefresher.Chains;
using AiSandbox.TokenRefresher.Login;
using Microsoft.Extensions.Logging;

namespace AiSandbox.HostShim.Tokens;

/// <summary>
/// <see cref="IClaudeChains"/> over the refresh-tokens library, in-process: the host's settings directory
/// is the chain's home, <c>$AI_DIR/history</c> its session copies. The library's own lines go to stderr,
/// warnings and errors only (the baseline discarded refresh-tokens' output on the host). Its environment
/// (<c>CLAUDE_OAUTH_TOKEN_URL</c>, <c>HISTORY_DAYS</c>, <c>CHAIN_LOCK_TIMEOUT</c>, …) applies.
/// </summary>
internal sealed class RefresherChains(Func<string, string?> env, TextWriter stderr, TimeProvider time) : IClaudeChains
{
    public async Task<string?> RefreshAsync(HostLayout layout, string profile, CancellationToken cancellation)
    {
        using var chains = Create(layout);
        var outcome = await chains.RefreshProfileAsync(profile, cancellationToken: cancellation).ConfigureAwait(false);
        return outcome.AdoptedFrom;
    }

    public async Task<bool> RecoverFromHistoryAsync(HostLayout layout, string profile, CancellationToken cancellation)
    {
        using var chains = Create(layout);
        try
        {
            var copy = await chains.CopyNewestAsync(profile, layout.ClaudeCredentials(profile), includeSettingsCopy: false, cancellationToken: cancellation)
                .ConfigureAwait(false);
            return copy.Status == CopyStatus.Copied;
        }
        catch (HistoryWindowException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            throw LockTimedOut(layout, profile);
        }
    }

    public async Task<bool> LoginAsync(HostLayout layout, string? profile, TextReader input, TextWriter output, CancellationToken cancellation)
    {
        var request = new ClaudeLoginRequest(Options(layout), profile, layout.SettingsDir);
        var result = await ClaudeLogin.RunAsync(request, input, output, time, cancellationToken: cancellation).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    // Another process held the chain for all of CHAIN_LOCK_TIMEOUT: stop with one line rather than guess.
    private static FatalException LockTimedOut(HostLayout layout, string profile) =>
        new("timed out waiting for the claude chain lock", ("profile", profile),
            ("lock", Path.Combine(layout.SettingsDir, Chain.SettingsFileName(profile) + ".lock")), ("variable", "CHAIN_LOCK_TIMEOUT"));

    private TokenChains Create(HostLayout layout) =>
        new(Options(layout), new LogfmtLogger(new LogfmtLog(stderr, time: null), LogLevel.Warning), time);

    private RefresherOptions Options(HostLayout layout)
    {
        try
        {
            return RefresherOptions.FromEnvironment(env) with
            {
                CredentialsDir = layout.SettingsDir,
                SettingsDir = layout.SettingsDir,
                HistoryDir = layout.HistoryDir,
            };
        }
        catch (OptionsException e)
        {
            throw new FatalException(e.Message, ("variable", e.Variable), ("value", e.Value));
        }
    }
}
