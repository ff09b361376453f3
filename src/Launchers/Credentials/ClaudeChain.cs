using System.Text.Json.Nodes;
using AiSandbox.Common.IO;

namespace AiSandbox.Launchers.Credentials;

/// <summary>Where a profile's OAuth chain lives: the settings file and the session copies under history.</summary>
internal sealed record ChainLocation(string SettingsRoot, string HistoryRoot, string Profile)
{
    public string SettingsFile => Path.Combine(SettingsRoot, $".credentials.{Profile}.json");

    /// <summary>refresh-tokens' chain lock: every writer of this profile's chain holds it.</summary>
    public string LockFile => SettingsFile + ".lock";
}

internal enum ChainPreference
{
    /// <summary>c: whichever copy (settings or a session) expires last.</summary>
    Newest,

    /// <summary>claude-login: a valid session copy first, the settings file only when none is valid.</summary>
    HistoryFirst,
}

/// <summary>
/// The one place the launchers copy a Claude chain. Copies the newest valid copy to a session's
/// <c>.credentials.json</c> atomically, under the chain lock, so a refresh running at the same moment can
/// never hand us a refresh token it is about to rotate away.
/// </summary>
internal static class ClaudeChain
{
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(15);
    public const int HistoryDays = 2;

    /// <summary>Returns the path copied from, or null when the profile has no copy at all.</summary>
    public static async Task<string?> CopyNewestAsync(ChainLocation chain, string destination, ChainPreference preference, TimeProvider time, CancellationToken cancellationToken)
    {
        using var chainLock = Directory.Exists(chain.SettingsRoot)
            ? await FileLock.AcquireAsync(chain.LockFile, LockTimeout, time, cancellationToken).ConfigureAwait(false)
            : null;

        var now = time.GetUtcNow();
        var history = HistoryCopies(chain, now).ToList();
        var settingsExpiry = File.Exists(chain.SettingsFile) ? ExpiresAt(chain.SettingsFile) : null;
        string? source;
        if (preference == ChainPreference.HistoryFirst)
        {
            source = history.Count > 0 ? history.MaxBy(c => c.Expires).Path : File.Exists(chain.SettingsFile) ? chain.SettingsFile : null;
        }
        else
        {
            var valid = history;
            if (settingsExpiry is { } s && s > now)
            {
                valid.Add((chain.SettingsFile, s));
            }

            source = valid.Count > 0 ? valid.MaxBy(c => c.Expires).Path : File.Exists(chain.SettingsFile) ? chain.SettingsFile : null;
        }

        if (source is null)
        {
            return null;
        }

        if (!SameFile(source, destination))
        {
            AtomicFile.WriteAllBytes(destination, BoundedFile.ReadAllBytes(source));
        }

        return source;
    }

    /// <summary>Session copies: <c>&lt;history&gt;/&lt;YYYY&gt;/&lt;MM_Mon&gt;/&lt;…_claude&gt;/.credentials.json</c>, recent, of this profile, unexpired.</summary>
    private static IEnumerable<(string Path, DateTimeOffset Expires)> HistoryCopies(ChainLocation chain, DateTimeOffset now)
    {
        if (!Directory.Exists(chain.HistoryRoot))
        {
            yield break;
        }

        foreach (var year in Directory.EnumerateDirectories(chain.HistoryRoot))
        {
            foreach (var month in Directory.EnumerateDirectories(year))
            {
                foreach (var session in Directory.EnumerateDirectories(month, "*_claude"))
                {
                    var file = Path.Combine(session, ".credentials.json");
                    if (!File.Exists(file) || now - File.GetLastWriteTimeUtc(file) > TimeSpan.FromDays(HistoryDays))
                    {
                        continue;
                    }

                    if (ServiceBootstrap.SessionConfig.SessionFiles.ReadFirstLine(Path.Combine(session, ".profile")) != chain.Profile)
                    {
                        continue;
                    }

                    if (ExpiresAt(file) is { } expires && expires > now)
                    {
                        yield return (file, expires);
                    }
                }
            }
        }
    }

    /// <summary>expiresAt (epoch ms) of the first top-level key named like <c>*oauth*</c>; null when unreadable.</summary>
    internal static DateTimeOffset? ExpiresAt(string file)
    {
        try
        {
            if (JsonNode.Parse(BoundedFile.ReadAllText(file)) is not JsonObject root)
            {
                return null;
            }

            foreach (var (key, value) in root)
            {
                if (key.Contains("oauth", StringComparison.OrdinalIgnoreCase))
                {
                    return value is JsonObject oauth && oauth["expiresAt"] is JsonValue v && v.TryGetValue<long>(out var ms)
                        ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                        : null;
                }
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static bool SameFile(string a, string b)
    {
        static string Real(string p)
        {
            var full = Path.GetFullPath(p);
            var dir = Path.GetDirectoryName(full)!;
            var resolved = new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dir;
            return Path.Combine(resolved, Path.GetFileName(full));
        }

        return File.Exists(b) && Real(a) == Real(b);
    }
}
