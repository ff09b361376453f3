using System.Text.Json;
using AiSandbox.Common.IO;
using AiSandbox.TokenRefresher.Credentials;

namespace AiSandbox.HostShim.Tokens;

/// <summary>Reads <c>expiresAt</c> (epoch ms) of a credentials file's OAuth object; 0 when absent or unreadable.</summary>
internal static class CredentialExpiry
{
    public static long ExpiresAtMs(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(BoundedFile.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return 0;
            }

            // The refresher's rule for which key holds Claude's tokens (never mcpOAuth).
            if (ClaudeCredentials.OAuthKeyOf(doc.RootElement.EnumerateObject().Select(p => p.Name)) is { } key)
            {
                var oauth = doc.RootElement.GetProperty(key);
                return oauth.ValueKind == JsonValueKind.Object
                    && oauth.TryGetProperty("expiresAt", out var expires)
                    && expires.TryGetInt64(out var ms) && ms <= ClaudeCredentials.MaxExpiresAt ? ms : 0;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
