using System.Globalization;
using System.Runtime.InteropServices;
using AiSandbox.ServiceBootstrap.Supervision;

namespace AiSandbox.Supervisor;

/// <summary>
/// Once every entry has settled, the probe clients (Npgsql, StackExchange.Redis, RabbitMQ.Client) are
/// disposed and their buffers are garbage; one aggressive, compacting collection hands that memory back
/// to the OS, so the idle daemon stays small for the hours the sandbox runs. Most of what remains
/// resident is the binary's own code that start-up touched (the three client libraries): clean,
/// file-backed pages, which MADV_PAGEOUT hands back too; the little that runs later faults back in
/// from the page cache.
/// </summary>
internal sealed partial class MemoryTrimmer
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    private readonly TimeProvider _time;
    private ITimer? _pending;

    public MemoryTrimmer(ReadinessBoard board, TimeProvider time)
    {
        _time = time;
        board.Changed += change =>
        {
            if (change.Snapshot.AllSettled)
            {
                Schedule();
            }
        };
    }

    private void Schedule()
    {
        var timer = _time.CreateTimer(static _ => Trim(), null, Settle, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _pending, timer)?.Dispose();
    }

    private static void Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        PageOutOwnCode();
    }

    private const int MadvPageout = 21;

    private static void PageOutOwnCode()
    {
        try
        {
            var exe = File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)?.FullName;
            if (exe is null)
            {
                return;
            }

            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                // "start-end perms offset dev inode path": only our binary's file-backed, non-writable mappings.
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6 || fields[5].Trim() != exe || fields[1].Contains('w', StringComparison.Ordinal))
                {
                    continue;
                }

                var range = fields[0].Split('-');
                var start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                // Advice only: an old kernel without MADV_PAGEOUT says EINVAL and nothing changes.
                _ = Madvise((nint)start, (nuint)(end - start), MadvPageout);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
