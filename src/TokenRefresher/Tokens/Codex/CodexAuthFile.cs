using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Codex;

/// <summary>Codex's <c>auth.json</c>: what a login writes and what <c>--status</c> reads (baseline 7).</summary>
internal static class CodexAuthFile
{
    public const string FileName = "auth.json";

    /// <summary>How long a login waits for a <c>cx</c> sync-back holding the chain lock.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Writes the ChatGPT login atomically (0600) into a 0700 directory, under the chain lock so it never
    /// interleaves with a <c>cx</c> sync-back. A login is the newest copy by construction: its
    /// <c>last_refresh</c> is taken under the lock and is later than the stamp of the copy it replaces.
    /// </summary>
    /// <exception cref="TimeoutException">The chain lock was not free in time.</exception>
    public static async Task<string> SaveAsync(string dir, string idToken, string accessToken, string refreshToken, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        AtomicFile.EnsureDirectory(dir);
        File.SetUnixFileMode(dir, AtomicFile.PrivateDirectory);
        var path = Path.Combine(dir, FileName);
        using var held = await FileLock.AcquireAsync(CodexSharedAuth.LockPath(path), LockTimeout, time, cancellationToken).ConfigureAwait(false);
        var doc = new JsonObject
        {
            ["auth_mode"] = "chatgpt",
            ["OPENAI_API_KEY"] = null,
            ["tokens"] = new JsonObject
            {
                ["id_token"] = idToken,
                ["access_token"] = accessToken,
                ["refresh_token"] = refreshToken,
                ["account_id"] = AccountId(idToken),
            },
            ["last_refresh"] = CodexAuthCopy.Stamp(CodexSharedAuth.LoginStamp(path, time.GetUtcNow())),
        };
        AtomicFile.WriteAllText(path, doc.ToJsonString());
        return path;
    }

    /// <summary>The <c>chatgpt_account_id</c> claim of the (unverified) id_token payload, or null.</summary>
    public static string? AccountId(string idToken)
    {
        var parts = idToken.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))) as JsonObject;
            return json?["https://api.openai.com/auth"] is JsonObject auth && auth["chatgpt_account_id"] is JsonValue v &&
                   v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The baseline's <c>--status</c> line and whether it counts as logged in.</summary>
    public static (bool LoggedIn, string Message) Status(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path))
        {
            return (false, "Not logged in");
        }

        JsonObject? doc;
        try
        {
            doc = JsonNode.Parse(BoundedFile.ReadAllBytes(path)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            doc = null;
        }

        if (doc is not null)
        {
            var tokens = doc["tokens"] as JsonObject;
            if (Str(doc["auth_mode"]) == "chatgpt" && Str(tokens?["access_token"]) is not null && Str(tokens?["refresh_token"]) is not null)
            {
                return (true, "Logged in using ChatGPT");
            }

            if (Str(doc["OPENAI_API_KEY"]) is not null)
            {
                return (true, "Logged in using an API key");
            }
        }

        return (false, "Auth file exists but does not contain a recognized Codex login");
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0 ? v.GetValue<string>() : null;
}
