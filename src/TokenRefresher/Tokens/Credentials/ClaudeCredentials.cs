using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiSandbox.TokenRefresher.Credentials;

/// <summary>
/// One parsed credential file (baseline 6.3). The credentials object is <c>claudeAiOauth</c> when the file
/// has that key; only without it is it the first other top-level key matching "oauth" case-insensitively
/// (the baseline's rule), never one beginning with "mcp" (Claude Code keeps MCP servers' own OAuth tokens
/// in <c>mcpOAuth</c>, which may come first). It holds <c>accessToken</c>, <c>refreshToken</c>,
/// <c>expiresAt</c> (epoch ms) and <c>scopes</c>. Every other key, at any level, survives a rewrite untouched.
/// A document with a duplicate key anywhere is refused (which copy is meant cannot be known), as is an
/// <c>expiresAt</c> that is negative or past year 9999; a fractional one is truncated to whole milliseconds.
/// </summary>
public sealed class ClaudeCredentials
{
    public const string DefaultOAuthKey = "claudeAiOauth";

    /// <summary>The largest <c>expiresAt</c> accepted: the last millisecond of year 9999, the end of .NET's calendar.</summary>
    public static readonly long MaxExpiresAt = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private readonly JsonObject _root;
    private readonly string _oauthKey;

    private ClaudeCredentials(JsonObject root, string oauthKey)
    {
        _root = root;
        _oauthKey = oauthKey;
    }

    private JsonObject OAuth => (JsonObject)_root[_oauthKey]!;

    // Read once: each read of a parsed JsonValue decodes a new string, and a pass asks for them several times
    // per copy (garbage that a start-up pays for in page faults).
    public string? AccessToken { get; private set; }

    public string? RefreshToken { get; private set; }

    /// <summary>Epoch milliseconds; null when missing. A non-numeric value is rejected at parse time.</summary>
    public long? ExpiresAt { get; private set; }

    public IReadOnlyList<string> Scopes =>
        OAuth["scopes"] is JsonArray a ? a.Select(Str).Where(s => s is not null).Select(s => s!).ToList() : [];

    /// <summary>Both tokens present and an expiry: a copy worth serving or adopting.</summary>
    public bool IsComplete => !string.IsNullOrEmpty(AccessToken) && !string.IsNullOrEmpty(RefreshToken) && ExpiresAt is > 0;

    /// <summary>Parses a file's bytes. Null when the document has no oauth key (such files are skipped silently).</summary>
    /// <exception cref="CredentialFormatException">Not JSON, not an object, or the oauth entry has wrongly typed fields.</exception>
    public static ClaudeCredentials? Parse(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new CredentialFormatException(IsWellFormed(utf8) ? "duplicate key in a JSON object" : $"malformed JSON at line {e.LineNumber + 1}");
        }

        if (node is not JsonObject root)
        {
            throw new CredentialFormatException("not a JSON object");
        }

        var key = OAuthKeyOf(root.Select(p => p.Key));
        if (key is null)
        {
            return null;
        }

        if (root[key] is not JsonObject oauth)
        {
            throw new CredentialFormatException($"{key} is not an object");
        }

        foreach (var field in (ReadOnlySpan<string>)["accessToken", "refreshToken"])
        {
            if (oauth[field] is { } value && (value is not JsonValue v || v.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Null)))
            {
                throw new CredentialFormatException($"{key}.{field} is not a string");
            }
        }

        long? expiresAt = null;
        if (oauth["expiresAt"] is { } exp)
        {
            if (exp is JsonValue ev && ev.GetValueKind() == JsonValueKind.Number)
            {
                expiresAt = ev.TryGetValue(out long l) ? l
                    : ev.TryGetValue(out double d) && double.IsFinite(d) && d >= 0 && d <= MaxExpiresAt ? (long)d
                    : throw new CredentialFormatException($"{key}.expiresAt is out of range");
                if (expiresAt is < 0 || expiresAt > MaxExpiresAt)
                {
                    throw new CredentialFormatException($"{key}.expiresAt is out of range");
                }
            }
            else if (exp.GetValueKind() != JsonValueKind.Null)
            {
                throw new CredentialFormatException($"{key}.expiresAt is not a number");
            }
        }

        return new ClaudeCredentials(root, key)
        {
            AccessToken = Str(oauth["accessToken"]),
            RefreshToken = Str(oauth["refreshToken"]),
            ExpiresAt = expiresAt,
        };
    }

    /// <summary>
    /// The key holding Claude's credentials among a document's top-level keys: <c>claudeAiOauth</c> when
    /// present, else the first key containing "oauth" (any case) that does not begin with "mcp"; null when none.
    /// </summary>
    public static string? OAuthKeyOf(IEnumerable<string> keys)
    {
        string? fallback = null;
        foreach (var k in keys)
        {
            if (k == DefaultOAuthKey)
            {
                return k;
            }

            if (fallback is null && k.Contains("oauth", StringComparison.OrdinalIgnoreCase) &&
                !k.StartsWith("mcp", StringComparison.OrdinalIgnoreCase))
            {
                fallback = k;
            }
        }

        return fallback;
    }

    /// <summary>A fresh file for a new login (baseline 6.7 step 7).</summary>
    public static ClaudeCredentials Create(string accessToken, string refreshToken, long expiresAt, IEnumerable<string> scopes)
    {
        var root = new JsonObject { [DefaultOAuthKey] = new JsonObject() };
        var created = new ClaudeCredentials(root, DefaultOAuthKey);
        created.SetTokens(accessToken, refreshToken, expiresAt, scopes.ToList());
        return created;
    }

    /// <summary>
    /// This document with the tokens replaced; every other key is kept. <paramref name="scopes"/> null
    /// keeps the stored scopes (a refresh changes only the three token fields).
    /// </summary>
    /// <exception cref="ArgumentException">A token is empty: an empty token must never reach a file.</exception>
    public byte[] WithTokens(string accessToken, string refreshToken, long expiresAt, IReadOnlyList<string>? scopes = null)
    {
        var copy = new ClaudeCredentials((JsonObject)_root.DeepClone(), _oauthKey);
        copy.SetTokens(accessToken, refreshToken, expiresAt, scopes);
        return copy.ToUtf8();
    }

    public byte[] ToUtf8()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            _root.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void SetTokens(string accessToken, string refreshToken, long expiresAt, IReadOnlyList<string>? scopes)
    {
        if (string.IsNullOrEmpty(accessToken) || string.IsNullOrEmpty(refreshToken) || expiresAt <= 0)
        {
            throw new ArgumentException("refusing to store empty tokens or a missing expiry");
        }

        var oauth = OAuth;
        oauth["accessToken"] = accessToken;
        oauth["refreshToken"] = refreshToken;
        oauth["expiresAt"] = expiresAt;
        if (scopes is not null)
        {
            var array = new JsonArray();
            foreach (var s in scopes)
            {
                array.Add((JsonNode?)JsonValue.Create(s));
            }

            oauth["scopes"] = array;
        }

        AccessToken = accessToken;
        RefreshToken = refreshToken;
        ExpiresAt = expiresAt;
    }

    /// <summary>True when only the duplicate-key rule refused the document (the reader does not check keys).</summary>
    private static bool IsWellFormed(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

/// <summary>A credential file's content is unusable; the message names the problem, never a value.</summary>
internal sealed class CredentialFormatException(string message) : Exception(message);
