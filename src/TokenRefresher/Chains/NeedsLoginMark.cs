using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// Remembers that the endpoint rejected a chain's refresh token (400 invalid_grant), in
/// <c>&lt;lock path minus .lock&gt;.needs-login</c>, so no process retries that token and every process
/// (and <c>--list-active</c>) can say a login is needed. The mark names the token only by a short hash;
/// any copy with a different refresh token (a login, a newer copy) makes the mark moot.
/// </summary>
internal static class NeedsLoginMark
{
    public static string PathFor(Chain chain) => chain.LockPath[..^".lock".Length] + ".needs-login";

    public static string Fingerprint(string refreshToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)))[..16];

    /// <summary>True when the chain is marked and the mark is for this refresh token.</summary>
    public static bool IsMarkedFor(Chain chain, string refreshToken) =>
        ReadFingerprint(chain) is { } fp && fp == Fingerprint(refreshToken);

    public static bool IsMarked(Chain chain) => ReadFingerprint(chain) is not null;

    public static void Mark(Chain chain, string refreshToken, DateTimeOffset now)
    {
        var doc = new JsonObject
        {
            ["profile"] = chain.DisplayName,
            ["refreshTokenSha256Prefix"] = Fingerprint(refreshToken),
            ["since"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(PathFor(chain), doc.ToJsonString());
    }

    public static void Clear(Chain chain)
    {
        try
        {
            File.Delete(PathFor(chain));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string? ReadFingerprint(Chain chain)
    {
        try
        {
            var path = PathFor(chain);
            if (!File.Exists(path))
            {
                return null;
            }

            var node = JsonNode.Parse(BoundedFile.ReadAllText(path, 4096)) as JsonObject;
            return node?["refreshTokenSha256Prefix"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
