using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Codex;

/// <summary>
/// One copy of a Codex <c>auth.json</c> as read at one moment: its bytes (and their hash, to tell whether
/// a session changed it), its <c>last_refresh</c> and its tokens. Codex stamps <c>last_refresh</c> every
/// time it refreshes or logs in, so between two copies of one profile the later stamp holds the later
/// refresh token of the lineage.
/// </summary>
internal sealed record CodexAuthCopy(byte[] Bytes, DateTimeOffset? LastRefresh, string? AccessToken, string? RefreshToken, bool HasApiKey)
{
    public byte[] Hash => SHA256.HashData(Bytes);

    /// <summary>Holds a login Codex can use: ChatGPT tokens or an API key.</summary>
    public bool IsUsable => (AccessToken is not null && RefreshToken is not null) || HasApiKey;

    /// <summary>The copy at <paramref name="path"/>; null when there is none (missing or empty).</summary>
    /// <exception cref="IOException">Unreadable or larger than <see cref="BoundedFile.DefaultMaxBytes"/>.</exception>
    /// <exception cref="UnauthorizedAccessException">Not readable by us.</exception>
    public static CodexAuthCopy? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = BoundedFile.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return bytes.Length == 0 ? null : Parse(bytes);
    }

    /// <summary>Never throws: content that is not a Codex login is a copy that is not <see cref="IsUsable"/>.</summary>
    public static CodexAuthCopy Parse(byte[] bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new CodexAuthCopy(bytes, null, null, null, false);
            }

            var tokens = root.TryGetProperty("tokens", out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
            DateTimeOffset? stamp = Str(root, "last_refresh") is { } text &&
                DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : null;
            return new CodexAuthCopy(bytes, stamp, Str(tokens, "access_token"), Str(tokens, "refresh_token"), Str(root, "OPENAI_API_KEY") is not null);
        }
        catch (JsonException)
        {
            return new CodexAuthCopy(bytes, null, null, null, false);
        }
    }

    /// <summary>Same login: the same tokens (or, without tokens, the same bytes).</summary>
    public bool SameTokens(CodexAuthCopy other) =>
        RefreshToken is not null || AccessToken is not null
            ? RefreshToken == other.RefreshToken && AccessToken == other.AccessToken
            : Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <summary>
    /// True when this copy holds a later login than <paramref name="other"/>: it is usable and other is
    /// missing or not usable, or it carries a later <c>last_refresh</c>. A copy without a stamp is never
    /// newer than a usable one: there is no evidence it is.
    /// </summary>
    public bool IsNewerThan(CodexAuthCopy? other)
    {
        if (!IsUsable)
        {
            return false;
        }

        if (other is null || !other.IsUsable)
        {
            return true;
        }

        return LastRefresh is { } mine && (other.LastRefresh is not { } theirs || mine > theirs);
    }

    /// <summary>The ISO 8601 form Codex writes (UTC, 7 fractional digits).</summary>
    public static string Stamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string? Str(JsonElement obj, string key) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } text
            ? text
            : null;
}
