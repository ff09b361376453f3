using AiSandbox.TokenRefresher;
using AiSandbox.TokenRefresher.Chains;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiSandbox.Launchers.Credentials;

/// <summary>Where a profile's OAuth chain lives: the settings file and the session copies under history.</summary>
internal sealed record ChainLocation(string SettingsRoot, string HistoryRoot, string Profile, string HistoryDays = "2")
{
    public string SettingsFile => Path.Combine(SettingsRoot, $".credentials.{Profile}.json");
}

internal enum ChainPreference
{
    /// <summary>c: whichever valid copy (settings or a session) expires last.</summary>
    Newest,

    /// <summary>claude-login: a valid session copy first, the settings file only when none is valid.</summary>
    HistoryFirst,
}

/// <summary>
/// The one place the launchers copy a Claude chain, through refresh-tokens' <see cref="TokenChains"/>:
/// the newest valid copy, written atomically under the chain lock, so a refresh running at the same
/// moment can never hand us a refresh token it is about to rotate away. When no copy is valid the
/// settings file is taken anyway (its refresh token may still work), still under the lock and still only
/// over a session copy that expires earlier: a resumed session may hold a later refresh token.
/// </summary>
internal static class ClaudeChain
{
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Returns the path copied from (the destination itself when it already held the newest), or null when there is no copy at all.</summary>
    public static async Task<string?> CopyNewestAsync(ChainLocation chain, string destination, ChainPreference preference, TimeProvider time, CancellationToken cancellationToken)
    {
        var options = new RefresherOptions
        {
            CredentialsDir = chain.SettingsRoot,
            SettingsDir = chain.SettingsRoot,
            HistoryDir = chain.HistoryRoot,
            HistoryDays = chain.HistoryDays,
            LockTimeout = LockTimeout,
        };
        using var chains = new TokenChains(options, NullLogger.Instance, time);
        var result = await chains.CopyNewestAsync(chain.Profile, destination, includeSettingsCopy: preference == ChainPreference.Newest,
            durable: false, fallbackToSettingsCopy: true, cancellationToken)
            .ConfigureAwait(false);
        return result.Status switch
        {
            CopyStatus.Copied => result.Source!.Path,
            CopyStatus.DestinationNewer => result.Destination,
            CopyStatus.DestinationDirectoryMissing => throw new DirectoryNotFoundException("no directory for " + result.Destination),
            _ => null,
        };
    }
}
