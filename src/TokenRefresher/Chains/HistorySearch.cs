using AiSandbox.TokenRefresher.Credentials;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// Finds active session copies in the history tree (baseline 6.6): files exactly four levels below
/// <c>HISTORY_DIR</c> matching <c>&lt;YYYY&gt;/&lt;MM_Mon&gt;/&lt;…&gt;_claude/.credentials.json</c>, modified within
/// <c>HISTORY_DAYS</c>, with a sibling <c>.profile</c>, and a numeric <c>expiresAt</c> later than now.
/// Freshest first; ties by path, descending.
/// </summary>
internal sealed class HistorySearch(RefresherOptions options, TimeProvider time)
{
    /// <summary>Directories that could not be read, for the caller to report.</summary>
    public List<string> Unreadable { get; } = [];

    /// <exception cref="HistoryWindowException">HISTORY_DAYS is not a positive integer.</exception>
    public IReadOnlyList<ActiveCopy> Find(string? profile)
    {
        if (!options.TryGetHistoryDays(out var days))
        {
            throw new HistoryWindowException(options.HistoryDays);
        }

        var root = options.HistoryDir;
        var result = new List<ActiveCopy>();
        if (!Directory.Exists(root))
        {
            return result;
        }

        var now = time.GetUtcNow();
        var since = now.UtcDateTime - TimeSpan.FromDays(days);
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var year in Dirs(root, "*"))
        {
            foreach (var month in Dirs(year, "*"))
            {
                foreach (var session in Dirs(month, "*_claude"))
                {
                    var path = Path.Combine(session, ".credentials.json");
                    var info = new FileInfo(path);
                    if (!info.Exists || info.LinkTarget is not null || info.LastWriteTimeUtc < since)
                    {
                        continue;
                    }

                    if (Chain.ReadProfileFile(Path.Combine(session, ".profile")) is not { } owner ||
                        (profile is not null && owner != profile))
                    {
                        continue;
                    }

                    CredentialCopy copy;
                    try
                    {
                        copy = CredentialCopy.Load(path);
                    }
                    catch (CredentialReadException)
                    {
                        continue;
                    }

                    if (copy.Credentials is { ExpiresAt: { } expires } && expires > nowMs && copy.IsComplete)
                    {
                        result.Add(new ActiveCopy(owner, expires, copy.Path));
                    }
                }
            }
        }

        result.Sort(static (a, b) => b.ExpiresAt != a.ExpiresAt
            ? b.ExpiresAt.CompareTo(a.ExpiresAt)
            : string.CompareOrdinal(b.Path, a.Path));
        return result;
    }

    private string[] Dirs(string dir, string pattern)
    {
        string[] found;
        try
        {
            found = Directory.GetDirectories(dir, pattern, new EnumerationOptions { IgnoreInaccessible = false, RecurseSubdirectories = false, AttributesToSkip = 0 });
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Unreadable.Add(dir);
            return [];
        }

        return found;
    }
}
