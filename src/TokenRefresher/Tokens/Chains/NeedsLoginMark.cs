using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// Remembers that a chain's refresh token must not be sent again, in
/// <c>&lt;lock path minus .lock&gt;.needs-login</c>: the endpoint rejected it (400 invalid_grant), or a
/// request with it may have been processed without an answer reaching us (<see cref="OutcomeUnknown"/>).
/// No process sends that token again, and every process
/// (and <c>--list-active</c>) can say a login is needed. The mark names the token only by a short hash;
/// any copy with a different refresh token (a login, a newer copy) makes the mark moot.
/// </summary>
internal static class NeedsLoginMark
{
    /// <summary>The endpoint answered invalid_grant.</summary>
    public const string Rejected = "rejected";

    /// <summary>A request with the token may have rotated it, but no usable answer came back.</summary>
    public const string OutcomeUnknown = "outcome unknown";

    public static string PathFor(Chain chain) => chain.LockPath[..^".lock".Length] + ".needs-login";

    public static string Fingerprint(string refreshToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)))[..16];

    /// <summary>True when the chain is marked and the mark is for this refresh token.</summary>
    public static bool IsMarkedFor(Chain chain, string refreshToken) =>
        ReadFingerprint(chain) is { } fp && fp == Fingerprint(refreshToken);

    public static bool IsMarked(Chain chain) => ReadFingerprint(chain) is not null;

    public static void Mark(Chain chain, string refreshToken, string reason, DateTimeOffset now)
    {
        var doc = new JsonObject
        {
            ["profile"] = chain.DisplayName,
            ["refreshTokenSha256Prefix"] = Fingerprint(refreshToken),
            ["reason"] = reason,
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
