using System.Globalization;
using System.Text;

namespace AiSandbox.HostShim.Launch;

/// <summary>
/// The newer baseline's container name, also used as hostname: <c>ai-c-NN-&lt;project&gt;</c>, the first
/// NN from 00 to 99 that no container (running or stopped) already has. Within 63 characters, so it is a
/// valid hostname.
/// </summary>
internal static class InstanceName
{
    public const string Prefix = "ai-c";

    public static string Project(string directoryName)
    {
        var sb = new StringBuilder(directoryName.Length);
        foreach (var c in directoryName.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-';
            if (keep)
            {
                sb.Append(c);
            }
            else if (sb.Length == 0 || sb[^1] != '-')
            {
                sb.Append('-');
            }
        }

        var collapsed = sb.ToString();
        while (collapsed.Contains("--", StringComparison.Ordinal))
        {
            collapsed = collapsed.Replace("--", "-", StringComparison.Ordinal);
        }

        var limit = 63 - Prefix.Length - 4;
        var name = collapsed.Trim('-');
        if (name.Length > limit)
        {
            name = name[..limit].TrimEnd('-');
        }

        return name.Length > 0 ? name : "workspace";
    }

    /// <summary>The first free name, or a fatal error when all hundred are taken.</summary>
    public static string Choose(string project, IReadOnlyCollection<string> existing)
    {
        var taken = new HashSet<string>(existing, StringComparer.Ordinal);
        for (var n = 0; n < 100; n++)
        {
            var candidate = $"{Prefix}-{n.ToString("00", CultureInfo.InvariantCulture)}-{project}";
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }

        throw new FatalException("no available instance name", ("project", project));
    }
}
