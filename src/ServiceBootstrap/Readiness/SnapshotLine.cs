using System.Globalization;
using System.Text;

namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>
/// One snapshot as one line of text, for <c>ai-start --wait-snapshots</c> talking to <c>c</c>/<c>cx</c>:
/// the overall state, then name, state, seconds and detail of each entry, separated by tabs (details
/// have their tabs and line breaks turned into spaces).
/// </summary>
public static class SnapshotLine
{
    public static string Format(ReadinessSnapshot snapshot)
    {
        var sb = new StringBuilder(snapshot.State);
        foreach (var (name, status) in snapshot.Services)
        {
            sb.Append('\t').Append(name).Append('\t').Append(status.State).Append('\t')
              .Append(status.Seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('\t')
              .Append(status.Detail.Replace('\t', ' ').ReplaceLineEndings(" "));
        }

        return sb.ToString();
    }

    /// <exception cref="FormatException">Not a line <see cref="Format"/> wrote.</exception>
    public static ReadinessSnapshot Parse(string line)
    {
        var fields = line.Split('\t');
        if (fields.Length % 4 != 1 || fields[0].Length == 0)
        {
            throw new FormatException("not a readiness snapshot line");
        }

        var services = new Dictionary<string, ServiceStatus>(StringComparer.Ordinal);
        for (var i = 1; i < fields.Length; i += 4)
        {
            var seconds = double.Parse(fields[i + 2], NumberStyles.Float, CultureInfo.InvariantCulture);
            services[fields[i]] = new ServiceStatus(fields[i + 1], fields[i + 3], seconds);
        }

        return new ReadinessSnapshot(fields[0], services);
    }
}
