namespace AiSandbox.Supervisor.Generator;

/// <summary>
/// The environment the container manager gave PID 1. systemd runs generators with a clean environment,
/// but it keeps its own initial one untouched in <c>/proc/1/environ</c>, and that is the environment
/// <c>PassEnvironment=</c> hands to ai-supervisor.service: reading it there gives the generator the same
/// <c>AI_SERVICES</c> the supervisor sees.
/// </summary>
internal static class ManagerEnvironment
{
    public const string DefaultPath = "/proc/1/environ";

    /// <summary>Unreadable or missing (not PID 1's user, not Linux) reads as empty.</summary>
    public static IReadOnlyDictionary<string, string> Read(string path = DefaultPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return Parse(bytes);
    }

    /// <summary>NUL-separated NAME=value entries; the first of a repeated name wins, as getenv(3) sees it.</summary>
    public static IReadOnlyDictionary<string, string> Parse(ReadOnlySpan<byte> environ)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var range in environ.Split((byte)0))
        {
            var entry = System.Text.Encoding.UTF8.GetString(environ[range]);
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result.TryAdd(entry[..eq], entry[(eq + 1)..]);
            }
        }

        return result;
    }
}
