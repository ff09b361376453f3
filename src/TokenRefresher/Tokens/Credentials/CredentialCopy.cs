using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Credentials;

/// <summary>One copy of a chain's credentials as read from disk at one moment.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Credentials">Parsed content; null when the file has no oauth key.</param>
/// <param name="LastWriteUtc">Modification time when read.</param>
internal sealed record CredentialCopy(string Path, ClaudeCredentials? Credentials, DateTime LastWriteUtc)
{
    /// <summary>Epoch ms of expiry, or <see cref="long.MinValue"/> when the copy is not complete.</summary>
    public long ExpiresAtOrMin => Credentials is { IsComplete: true, ExpiresAt: { } e } ? e : long.MinValue;

    public bool IsComplete => Credentials?.IsComplete == true;

    /// <summary>
    /// Reads a copy without following a symlink at the file itself (the directory may be a link) and without
    /// blocking: a named pipe, device or directory at the path is refused at once.
    /// </summary>
    /// <param name="path">The copy.</param>
    /// <param name="within">When set (a history copy), the file opened must lie below this directory.</param>
    /// <exception cref="CredentialReadException">Missing, a symlink, not a regular file, too large, unreadable, or malformed; the message says which.</exception>
    public static CredentialCopy Load(string path, string? within = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            var bytes = BoundedFile.ReadAllBytes(full, BoundedFile.DefaultMaxBytes, followSymlink: false, within);
            return new CredentialCopy(full, ClaudeCredentials.Parse(bytes), File.GetLastWriteTimeUtc(full));
        }
        catch (NotRegularFileException e)
        {
            throw new CredentialReadException(full, e.Reason, notRegular: true);
        }
        catch (FileTooLargeException)
        {
            throw new CredentialReadException(full, $"is larger than {BoundedFile.DefaultMaxBytes} bytes");
        }
        catch (CredentialFormatException e)
        {
            throw new CredentialReadException(full, e.Message);
        }
        catch (FileNotFoundException)
        {
            throw new CredentialReadException(full, "not found", notFound: true);
        }
        catch (DirectoryNotFoundException)
        {
            throw new CredentialReadException(full, "not found", notFound: true);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CredentialReadException(full, "permission denied");
        }
        catch (IOException e) when (e is not CredentialReadException)
        {
            throw new CredentialReadException(full, "cannot be read: " + e.GetType().Name);
        }
    }

    /// <summary>Like <see cref="Load"/>, but a missing file is null.</summary>
    public static CredentialCopy? LoadIfExists(string path, string? within = null)
    {
        try
        {
            return Load(path, within);
        }
        catch (CredentialReadException e) when (e.NotFound)
        {
            return null;
        }
    }
}

/// <summary>A credential file could not be used; <see cref="Exception.Message"/> is safe to log.</summary>
internal sealed class CredentialReadException(string path, string reason, bool notFound = false, bool notRegular = false)
    : IOException($"{path}: {reason}")
{
    public string FilePath { get; } = path;

    public string Reason { get; } = reason;

    public bool NotFound { get; } = notFound;

    /// <summary>The path names a symlink, pipe, device, socket or directory, or leads outside its root.</summary>
    public bool NotRegular { get; } = notRegular;
}
