using System.Text;
using AiSandbox.Common.Cli;
using AiSandbox.Common.IO;
using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers.Claude;

/// <summary>
/// Where <c>c --apikey</c> finds the Anthropic API key, never argv: <c>--apikey-file PATH</c>, else
/// <c>ANTHROPIC_API_KEY</c>, else <c>SETTINGS_ROOT/anthropic.key</c>. A key file is read only when no one
/// but its owner can read it (as ssh does with private keys), so a key never sits in a world-readable
/// file that the sandbox vouches for. No message ever quotes a key.
/// </summary>
internal static class ApiKeySource
{
    public const string Variable = "ANTHROPIC_API_KEY";
    public const string SettingsFileName = "anthropic.key";

    private const int MaxFileBytes = 64 * 1024;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The refusal of <c>--apikey KEY</c>: says how to pass the key instead, without the key.</summary>
    public static UsageException KeyOnCommandLine() =>
        new("--apikey takes no value: a key on the command line stays in argv and in the shell history", ExitCodes.Usage,
            LogField.Quoted("hint", $"export {Variable} (or write the key to SETTINGS_ROOT/{SettingsFileName}, chmod 600, or pass --apikey-file PATH), then run c --apikey"));

    /// <exception cref="UsageException">No key anywhere, or a key file that is unreadable, empty or readable by others.</exception>
    public static string Resolve(string? keyFile, Func<string, string?> env, string settingsRoot)
    {
        if (keyFile is not null)
        {
            return ReadFile(keyFile) ?? throw new UsageException("API key file not found", ExitCodes.Usage, LogField.Quoted("path", keyFile));
        }

        if (env(Variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var settingsFile = Path.Combine(settingsRoot, SettingsFileName);
        return ReadFile(settingsFile) ?? throw new UsageException("--apikey found no API key", ExitCodes.Usage,
            LogField.Quoted("hint", $"export {Variable}, or write the key to {settingsFile} (chmod 600), or pass --apikey-file PATH"));
    }

    /// <summary>The first line, trimmed; null when the file does not exist.</summary>
    private static string? ReadFile(string path)
    {
        byte[] content;
        try
        {
            // Opened without blocking: a FIFO put where the key should be reads as empty instead of holding the launch.
            using var handle = BoundedFile.OpenRead(path);
            var mode = File.GetUnixFileMode(handle);
            if ((mode & GroupOrOthers) != 0)
            {
                throw new UsageException("API key file is readable by group or others: chmod 600 it", ExitCodes.Usage,
                    LogField.Quoted("path", path), ("mode", Convert.ToString((int)mode, 8).PadLeft(4, '0')));
            }

            using var stream = new FileStream(handle, FileAccess.Read, 1);
            var buffer = new byte[MaxFileBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            content = total > MaxFileBytes ? throw new FileTooLargeException(path, MaxFileBytes) : buffer[..total];
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException("cannot read API key file", ExitCodes.Usage, LogField.Quoted("path", path), LogField.Quoted("error", e.Message));
        }

        var text = Encoding.UTF8.GetString(content);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var key = (newline < 0 ? text : text[..newline]).Trim();
        if (key.Length == 0)
        {
            throw new UsageException("API key file is empty", ExitCodes.Usage, LogField.Quoted("path", path));
        }

        if (key.Any(c => c <= ' ' || c == '\u007f'))
        {
            throw new UsageException("API key file holds spaces or control characters on its first line", ExitCodes.Usage, LogField.Quoted("path", path));
        }

        return key;
    }
}
