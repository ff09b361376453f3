using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiSandbox.Launchers.History;

/// <summary>A session found under HISTORY_ROOT: the agent's home to reuse and the full id to pass to the agent.</summary>
internal sealed record FoundSession(string Home, string Id);

/// <summary>
/// Resume lookups as the baseline does them. Claude: transcripts exactly two levels under a
/// <c>*_claude/projects</c> directory (subagent transcripts deeper down never match). Codex: rollout files
/// under <c>*_codex/sessions</c>, by a UUID in the name or else the <c>session_meta</c> line. Newest sessions
/// are searched first; a symlinked history root is followed.
/// </summary>
internal static partial class SessionSearch
{
    private const int MaxDepth = 4;

    public static FoundSession? FindClaude(string historyRoot, string id)
    {
        if (!Cli.Names.IsValidSessionId(id))
        {
            return null;
        }

        foreach (var projects in Roots(historyRoot, "_claude", "projects"))
        {
            foreach (var slug in SortedDirs(projects))
            {
                foreach (var file in Directory.EnumerateFiles(slug, id + "*.jsonl").Order(StringComparer.Ordinal))
                {
                    if (new FileInfo(file).LinkTarget is null)
                    {
                        return new FoundSession(Path.GetDirectoryName(projects)!, Path.GetFileNameWithoutExtension(file));
                    }
                }
            }
        }

        return null;
    }

    public static FoundSession? FindCodex(string historyRoot, string id)
    {
        if (!Cli.Names.IsValidSessionId(id))
        {
            return null;
        }

        var roots = Roots(historyRoot, "_codex", "sessions").ToList();
        foreach (var pattern in new[] { $"rollout-*{id}*.jsonl", "rollout-*.jsonl" })
        {
            foreach (var sessions in roots)
            {
                var files = Directory.EnumerateFiles(sessions, pattern, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Order(StringComparer.Ordinal).Reverse();
                foreach (var file in files)
                {
                    if (CodexSessionId(file) is { } full && full.StartsWith(id, StringComparison.Ordinal))
                    {
                        return new FoundSession(Path.GetDirectoryName(sessions)!, full);
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The trailing UUID of the file name, else <c>payload.id</c>/<c>payload.session_id</c> of the first session_meta line.</summary>
    internal static string? CodexSessionId(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        var match = TrailingUuid().Match(name);
        if (match.Success)
        {
            return match.Value;
        }

        try
        {
            using var reader = new StreamReader(file);
            for (var i = 0; i < 1000 && reader.ReadLine() is { } line; i++)
            {
                if (!line.Contains("session_meta", StringComparison.Ordinal))
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "session_meta")
                {
                    continue;
                }

                if (root.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object)
                {
                    foreach (var key in new[] { "id", "session_id" })
                    {
                        if (payload.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
                        {
                            return s;
                        }
                    }
                }

                return null;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    // Directories <leaf> whose parent's name ends in <suffix>, at most MaxDepth levels under the root, newest first.
    private static IEnumerable<string> Roots(string historyRoot, string suffix, string leaf)
    {
        if (!Directory.Exists(historyRoot))
        {
            yield break;
        }

        var level = new List<string> { historyRoot };
        for (var depth = 1; depth < MaxDepth && level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var dir in level)
            {
                foreach (var child in SortedDirs(dir))
                {
                    if (child.EndsWith(suffix, StringComparison.Ordinal))
                    {
                        var candidate = Path.Combine(child, leaf);
                        if (Directory.Exists(candidate))
                        {
                            yield return candidate;
                        }
                    }
                    else
                    {
                        next.Add(child);
                    }
                }
            }

            level = next;
        }
    }

    private static string[] SortedDirs(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir).Order(StringComparer.Ordinal).Reverse().ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex TrailingUuid();
}
