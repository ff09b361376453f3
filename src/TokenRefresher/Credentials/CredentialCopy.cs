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

    /// <summary>Reads a copy without following a symlink at the file itself (the directory may be a link).</summary>
    /// <exception cref="CredentialReadException">Missing, a symlink, too large, unreadable, or malformed; the message says which.</exception>
    public static CredentialCopy Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is not null)
            {
                throw new CredentialReadException(full, "is a symbolic link (refused)");
            }

            if (!info.Exists)
            {
                throw new CredentialReadException(full, "not found", notFound: true);
            }

            var bytes = BoundedFile.ReadAllBytes(full, BoundedFile.DefaultMaxBytes);
            return new CredentialCopy(full, ClaudeCredentials.Parse(bytes), info.LastWriteTimeUtc);
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
    public static CredentialCopy? LoadIfExists(string path)
    {
        try
        {
            return Load(path);
        }
        catch (CredentialReadException e) when (e.NotFound)
        {
            return null;
        }
    }
}

/// <summary>A credential file could not be used; <see cref="Exception.Message"/> is safe to log.</summary>
internal sealed class CredentialReadException(string path, string reason, bool notFound = false)
    : IOException($"{path}: {reason}")
{
    public string FilePath { get; } = path;

    public string Reason { get; } = reason;

    public bool NotFound { get; } = notFound;
}
