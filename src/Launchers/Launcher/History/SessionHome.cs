using System.Globalization;
using System.Runtime.InteropServices;
using AiSandbox.Common.IO;
using AiSandbox.Launchers.Exec;

namespace AiSandbox.Launchers.History;

/// <summary>
/// Per-session agent homes under HISTORY_ROOT: <c>&lt;YYYY&gt;/&lt;MM&gt;_&lt;Mon&gt;/&lt;DD&gt;_&lt;Ddd&gt;_&lt;HH&gt;-&lt;MM&gt;_&lt;tool&gt;</c>
/// in UTC with English names. Unlike the baseline, a second session in the same minute gets its own home
/// (<c>…_10-00-2_claude</c>): the directory is created with mkdir(2), which fails if it exists, so two
/// launchers racing can never share one.
/// </summary>
internal static class SessionHome
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>The name the baseline would use (first candidate).</summary>
    public static string PathFor(string historyRoot, DateTimeOffset now, string tool, int sequence = 1)
    {
        var t = now.UtcDateTime;
        var inv = CultureInfo.InvariantCulture;
        var minute = $"{t.Hour.ToString("00", inv)}-{t.Minute.ToString("00", inv)}";
        var suffix = sequence > 1 ? "-" + sequence.ToString(inv) : string.Empty;
        return Path.Combine(
            historyRoot,
            t.Year.ToString("0000", inv),
            $"{t.Month.ToString("00", inv)}_{Months[t.Month - 1]}",
            $"{t.Day.ToString("00", inv)}_{Days[(int)t.DayOfWeek]}_{minute}{suffix}_{tool}");
    }

    /// <summary>Creates a new, empty home (0700) for this launch and returns its path.</summary>
    public static string CreateNew(string historyRoot, DateTimeOffset now, string tool)
    {
        var first = PathFor(historyRoot, now, tool);
        AtomicFile.EnsureDirectory(Path.GetDirectoryName(first)!);
        for (var sequence = 1; sequence < 1000; sequence++)
        {
            var candidate = PathFor(historyRoot, now, tool, sequence);
            if (Native.Mkdir(candidate, 0x1C0 /* 0700 */) == 0)
            {
                return candidate;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Native.EEXIST)
            {
                throw new IOException($"cannot create session home {candidate}: {new System.ComponentModel.Win32Exception(errno).Message}");
            }
        }

        throw new IOException($"too many sessions this minute under {Path.GetDirectoryName(first)}");
    }
}
