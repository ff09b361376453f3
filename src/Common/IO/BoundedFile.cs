namespace AiSandbox.Common.IO;

/// <summary>Reads small files with a size cap, so a stray 50 MB file is an error, not a memory spike.</summary>
public static class BoundedFile
{
    /// <summary>The cap for credential and settings files: far above any real one.</summary>
    public const int DefaultMaxBytes = 1 << 20;

    /// <exception cref="FileTooLargeException">The file is larger than <paramref name="maxBytes"/>.</exception>
    public static byte[] ReadAllBytes(string path, int maxBytes = DefaultMaxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        if (stream.CanSeek && stream.Length > maxBytes)
        {
            throw new FileTooLargeException(path, maxBytes);
        }

        var buffer = new byte[Math.Min(maxBytes + 1, stream.CanSeek ? (int)stream.Length + 1 : maxBytes + 1)];
        var total = 0;
        int read;
        while ((read = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new FileTooLargeException(path, maxBytes);
            }

            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(maxBytes + 1, buffer.Length * 2));
            }
        }

        return buffer.AsSpan(0, total).ToArray();
    }

    public static string ReadAllText(string path, int maxBytes = DefaultMaxBytes) =>
        System.Text.Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes));
}

public sealed class FileTooLargeException(string path, int maxBytes)
    : IOException($"file is larger than {maxBytes} bytes: {path}")
{
    public string Path { get; } = path;
}
