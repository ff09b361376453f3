using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>
/// Makes a response body safe to log: JSON values under any key that names a token, code, verifier or
/// secret are replaced, known secrets are masked wherever they appear, and the result is one line of at
/// most 500 characters (the baseline's cap).
/// </summary>
internal static class SecretRedactor
{
    public const int MaxLength = 500;
    private const string Mask = "[redacted]";

    public static string Redact(string body, params ReadOnlySpan<string?> knownSecrets)
    {
        string text;
        try
        {
            var node = JsonNode.Parse(body);
            RedactNode(node);
            text = node?.ToJsonString() ?? body;
        }
        catch (JsonException)
        {
            text = body;
        }

        foreach (var secret in knownSecrets)
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 8)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        text = text.Replace('\n', ' ').Replace('\r', ' ');
        return text.Length <= MaxLength ? text : text[..MaxLength];
    }

    public static bool IsSecretKey(string key)
    {
        var k = key.ToLowerInvariant();
        return k.Contains("token", StringComparison.Ordinal) || k.Contains("code", StringComparison.Ordinal) ||
               k.Contains("verifier", StringComparison.Ordinal) || k.Contains("secret", StringComparison.Ordinal) ||
               k.Contains("password", StringComparison.Ordinal) || k.Contains("key", StringComparison.Ordinal);
    }

    private static void RedactNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (IsSecretKey(name) && obj[name] is JsonValue)
                    {
                        obj[name] = Mask;
                    }
                    else
                    {
                        RedactNode(obj[name]);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RedactNode(item);
                }

                break;
        }
    }
}
