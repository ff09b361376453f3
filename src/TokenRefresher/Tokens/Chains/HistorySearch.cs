using AiSandbox.Common.IO;
using AiSandbox.TokenRefresher.Credentials;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// Finds session copies in the history tree (baseline 6.6): files exactly four levels below
/// <c>HISTORY_DIR</c> matching <c>&lt;YYYY&gt;/&lt;MM_Mon&gt;/&lt;…&gt;_claude/.credentials.json</c>, modified within
/// <c>HISTORY_DAYS</c>, with a sibling <c>.profile</c>, complete, and (for <see cref="Find"/>) a numeric
/// <c>expiresAt</c> later than now. Freshest first; ties by path, descending.
/// Every agent can write the history tree, so the search trusts nothing in it: symlinked year, month or
/// session directories are not entered, a copy or <c>.profile</c> that is a symlink, named pipe, device or
/// directory is skipped without being waited on, and a file that resolves outside the root is not read.
/// </summary>
public sealed class HistorySearch(RefresherOptions options, TimeProvider time)
{
    private static readonly EnumerationOptions DirectoriesOnly = new()
    {
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
    };

    /// <summary>Directories that could not be read, for the caller to report.</summary>
    public List<string> Unreadable { get; } = [];

    /// <summary>Entries not used because of what they are (a symlink, a pipe, a device), with the reason.</summary>
    public List<(string Path, string Reason)> Skipped { get; } = [];

    /// <summary>Active copies: complete and unexpired (what <c>--list-active</c> lists).</summary>
    /// <exception cref="HistoryWindowException">HISTORY_DAYS is not a positive integer.</exception>
    public IReadOnlyList<ActiveCopy> Find(string? profile) => Search(profile, includeExpired: false);

    /// <summary>
    /// Every complete copy in the window, expired ones too: a chain adopts the newest of these, since an
    /// expired session copy can still hold the newest refresh token of the chain.
    /// </summary>
    /// <exception cref="HistoryWindowException">HISTORY_DAYS is not a positive integer.</exception>
    public IReadOnlyList<ActiveCopy> FindAll(string? profile) => Search(profile, includeExpired: true);

    private List<ActiveCopy> Search(string? profile, bool includeExpired)
    {
        if (!options.TryGetHistoryDays(out var days))
        {
            throw new HistoryWindowException(options.HistoryDays);
        }

        var root = Path.GetFullPath(options.HistoryDir);
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
                    if (Examine(session, root, since, profile) is { } found &&
                        (includeExpired || found.ExpiresAt > nowMs))
                    {
                        result.Add(found);
                    }
                }
            }
        }

        result.Sort(static (a, b) => b.ExpiresAt != a.ExpiresAt
            ? b.ExpiresAt.CompareTo(a.ExpiresAt)
            : string.CompareOrdinal(b.Path, a.Path));
        return result;
    }

    private ActiveCopy? Examine(string session, string root, DateTime since, string? profile)
    {
        var path = Path.Combine(session, ".credentials.json");

        // A status call, never an open: it cannot block, whatever sits at the path (missing: year 1601).
        try
        {
            if (File.GetLastWriteTimeUtc(path) < since)
            {
                return null;
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Unreadable.Add(session);
            return null;
        }

        if (Chain.ReadProfileFile(Path.Combine(session, ".profile"), root) is not { } owner ||
            (profile is not null && owner != profile))
        {
            return null;
        }

        CredentialCopy copy;
        try
        {
            copy = CredentialCopy.Load(path, within: root);
        }
        catch (CredentialReadException e)
        {
            // Malformed or half-written copies are normal in a live history; only odd file types are worth a line.
            if (e.NotRegular)
            {
                Skipped.Add((path, e.Reason));
            }

            return null;
        }

        return copy is { IsComplete: true, Credentials.ExpiresAt: { } expires } ? new ActiveCopy(owner, expires, copy.Path) : null;
    }

    private List<string> Dirs(string dir, string pattern)
    {
        var found = new List<string>();
        try
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateDirectories(pattern, DirectoriesOnly))
            {
                // A symlinked directory could lead anywhere (another user's files, /proc, a loop): never entered.
                if (entry.LinkTarget is not null)
                {
                    Skipped.Add((entry.FullName, "is a symbolic link (not followed)"));
                    continue;
                }

                found.Add(entry.FullName);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Unreadable.Add(dir);
            return [];
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
