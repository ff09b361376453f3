namespace AiSandbox.HostShim.Podman.Terminal;

/// <summary>
/// Drops the lines systemd 257 writes to the console before it reads any configuration, on hosts that mount
/// cgroup v1 controllers (cpu and cpuacct) as separate hierarchies: <c>Failed to create symlink
/// /sys/fs/cgroup/cpuacct: File exists</c>, red, one per controller, with a NUL before the first. Nothing in
/// the image can silence them (see docs/troubleshooting.md), so the terminal relay takes them out of the
/// sandbox's first output. Only leading lines are candidates: the first byte that cannot start one of them
/// ends the filter, and from then on every byte passes unchanged. A line is held only while it could still
/// become one of them, so nothing waits for more than the next read.
/// </summary>
internal sealed class BootNoise
{
    private const byte Esc = 0x1b;
    private const int MaxController = 32;
    private static readonly byte[] Head = "Failed to create symlink /sys/fs/cgroup/"u8.ToArray();
    private static readonly byte[] Tail = ": File exists"u8.ToArray();

    private readonly List<byte> _held = [];

    /// <summary>True once the first other output has passed: the filter lets everything through.</summary>
    public bool Done { get; private set; }

    /// <summary>How many noise lines were dropped.</summary>
    public int Dropped { get; private set; }

    /// <summary>Takes the next bytes read from the sandbox's terminal; returns what goes on to the user's.</summary>
    public ReadOnlySpan<byte> Pass(ReadOnlySpan<byte> chunk)
    {
        if (Done)
        {
            return chunk;
        }

        _held.AddRange(chunk);
        while (true)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_held);
            var length = Match(span);
            if (length > 0)
            {
                _held.RemoveRange(0, length);
                Dropped++;
                continue;
            }

            if (length == 0)
            {
                // Perhaps the start of another noise line: wait for the next read.
                return [];
            }

            Done = true;
            var rest = _held.ToArray();
            _held.Clear();
            return rest;
        }
    }

    /// <summary>Whatever is still held, for the end of output (a noise line cut off by the sandbox's exit).</summary>
    public ReadOnlySpan<byte> Flush()
    {
        Done = true;
        var rest = _held.ToArray();
        _held.Clear();
        return rest;
    }

    /// <summary>The length of a whole noise line at the start of <paramref name="s"/>; 0 when it may still become one
    /// (or is empty); -1 when it cannot.</summary>
    internal static int Match(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && s[i] == 0)
        {
            i++;
        }

        if (!Color(s, ref i, out var state) || !Literal(s, ref i, Head, ref state))
        {
            return state;
        }

        var start = i;
        while (i < s.Length && IsControllerByte(s[i]) && i - start <= MaxController)
        {
            i++;
        }

        if (i == s.Length)
        {
            return i - start <= MaxController ? 0 : -1;
        }

        if (i == start || !Literal(s, ref i, Tail, ref state))
        {
            return i == start ? -1 : state;
        }

        if (!Color(s, ref i, out state))
        {
            return state;
        }

        while (i < s.Length && s[i] == '\r')
        {
            i++;
        }

        if (i == s.Length)
        {
            return 0;
        }

        return s[i] == '\n' ? i + 1 : -1;
    }

    private static bool IsControllerByte(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (byte)'_' or (byte)',';

    // An optional SGR sequence, ESC [ digits and semicolons m, as systemd colours an error line.
    private static bool Color(ReadOnlySpan<byte> s, ref int i, out int state)
    {
        state = 0;
        if (i == s.Length)
        {
            return false;
        }

        if (s[i] != Esc)
        {
            return true;
        }

        var j = i + 1;
        if (j == s.Length)
        {
            return false;
        }

        if (s[j] != '[')
        {
            state = -1;
            return false;
        }

        j++;
        while (j < s.Length && (s[j] is >= (byte)'0' and <= (byte)'9' or (byte)';') && j - i < 16)
        {
            j++;
        }

        if (j == s.Length)
        {
            state = j - i < 16 ? 0 : -1;
            return false;
        }

        if (s[j] != 'm')
        {
            state = -1;
            return false;
        }

        i = j + 1;
        return true;
    }

    private static bool Literal(ReadOnlySpan<byte> s, ref int i, byte[] literal, ref int state)
    {
        foreach (var b in literal)
        {
            if (i == s.Length)
            {
                state = 0;
                return false;
            }

            if (s[i] != b)
            {
                state = -1;
                return false;
            }

            i++;
        }

        return true;
    }
}
