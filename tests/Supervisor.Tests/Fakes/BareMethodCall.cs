using System.Diagnostics;
using System.Text;
using AiSandbox.TestSupport;

namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// A method call without an interface field (D-Bus allows it; dbus-send, busctl and gdbus cannot send
/// one), written byte by byte through socat, which connects to the bus as another uid via setpriv.
/// The bus authenticates that uid from the socket; the answer is the first error or reply it sends back.
/// </summary>
public static class BareMethodCall
{
    /// <summary>The error name of the answer to <c>member(s arg)</c> at path on dest, or "ok" for a method return.</summary>
    public static async Task<string> CallAsync(string socketPath, int uid, string dest, string path, string member, string arg)
    {
        var psi = Run.Start("setpriv", [$"--reuid={uid}", $"--regid={uid}", "--clear-groups", "socat", "STDIO", "UNIX-CONNECT:" + socketPath]);
        using var socat = Process.Start(psi) ?? throw new InvalidOperationException("cannot start setpriv socat (apt packages util-linux, socat)");
        try
        {
            var input = socat.StandardInput.BaseStream;
            var output = socat.StandardOutput.BaseStream;
            var hexUid = Convert.ToHexString(Encoding.ASCII.GetBytes(uid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await input.WriteAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {hexUid}\r\n"));
            await input.FlushAsync();
            var line = await ReadLineAsync(output);
            if (!line.StartsWith("OK ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the bus refused EXTERNAL auth: " + line);
            }

            await input.WriteAsync(Encoding.ASCII.GetBytes("BEGIN\r\n"));
            await input.WriteAsync(Message(1, "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "org.freedesktop.DBus", null));
            await input.WriteAsync(Message(2, path, null, member, dest, arg));
            await input.FlushAsync();
            return await AnswerToAsync(output, 2);
        }
        finally
        {
            socat.Kill();
            await socat.WaitForExitAsync();
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1 && one[0] != '\n')
        {
            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. bytes]).TrimEnd('\r');
    }

    /// <summary>Reads messages (little-endian, as the daemon answers a little-endian client) until the reply to serial.</summary>
    private static async Task<string> AnswerToAsync(Stream stream, uint serial)
    {
        while (true)
        {
            var fixedPart = await ReadExactlyAsync(stream, 16);
            var bodyLength = BitConverter.ToInt32(fixedPart, 4);
            var fieldsLength = BitConverter.ToInt32(fixedPart, 12);
            var rest = await ReadExactlyAsync(stream, Align(fieldsLength, 8) + bodyLength);
            var (replySerial, errorName) = Fields(rest.AsSpan(0, fieldsLength));
            if (replySerial == serial)
            {
                return fixedPart[1] == 3 ? errorName ?? "error" : "ok";
            }
        }
    }

    private static (uint ReplySerial, string? ErrorName) Fields(ReadOnlySpan<byte> fields)
    {
        uint replySerial = 0;
        string? errorName = null;
        var i = 0;
        while (i < fields.Length)
        {
            i = Align(i, 8);
            var code = fields[i];
            var sigLength = fields[i + 1];
            var sig = (char)fields[i + 2];
            i += 3 + sigLength;
            switch (sig)
            {
                case 's' or 'o':
                    i = Align(i, 4);
                    var length = BitConverter.ToInt32(fields[i..]);
                    var text = Encoding.UTF8.GetString(fields.Slice(i + 4, length));
                    errorName = code == 4 ? text : errorName;
                    i += 4 + length + 1;
                    break;
                case 'u':
                    i = Align(i, 4);
                    replySerial = code == 5 ? BitConverter.ToUInt32(fields[i..]) : replySerial;
                    i += 4;
                    break;
                case 'g':
                    i += 1 + fields[i] + 1;
                    break;
                default:
                    throw new InvalidDataException($"unexpected header field signature {sig}");
            }
        }

        return (replySerial, errorName);
    }

    private static byte[] Message(uint serial, string path, string? iface, string member, string dest, string? arg)
    {
        var fields = new List<byte>();
        Field(fields, 1, 'o', path);
        if (iface is not null)
        {
            Field(fields, 2, 's', iface);
        }

        Field(fields, 3, 's', member);
        Field(fields, 6, 's', dest);
        var body = new List<byte>();
        if (arg is not null)
        {
            fields.AddRange(new byte[Align(fields.Count, 8) - fields.Count]);
            fields.AddRange([8, 1, (byte)'g', 0, 1, (byte)'s', 0]);
            String(body, arg);
        }

        var message = new List<byte> { (byte)'l', 1, 0, 1 };
        message.AddRange(BitConverter.GetBytes(body.Count));
        message.AddRange(BitConverter.GetBytes(serial));
        message.AddRange(BitConverter.GetBytes(fields.Count));
        message.AddRange(fields);
        message.AddRange(new byte[Align(message.Count, 8) - message.Count]);
        message.AddRange(body);
        return [.. message];
    }

    private static void Field(List<byte> fields, byte code, char type, string value)
    {
        fields.AddRange(new byte[Align(fields.Count, 8) - fields.Count]);
        fields.AddRange([code, 1, (byte)type, 0]);
        String(fields, value);
    }

    // Fields start at offset 16 of the message, which is 8-aligned, so offsets within them align alike.
    private static void String(List<byte> into, string value)
    {
        into.AddRange(new byte[Align(into.Count, 4) - into.Count]);
        var bytes = Encoding.UTF8.GetBytes(value);
        into.AddRange(BitConverter.GetBytes(bytes.Length));
        into.AddRange(bytes);
        into.Add(0);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.ReadExactlyAsync(buffer, cts.Token);
        return buffer;
    }

    private static int Align(int value, int to) => (value + to - 1) / to * to;
}
