using System.Text.Json.Nodes;

namespace AiSandbox.TestSupport.OAuth;

/// <summary>Tokens the server issued for a profile, and the credential file a login would have written.</summary>
public sealed record IssuedCredentials(string Profile, string AccessToken, string RefreshToken, long ExpiresAtMs)
{
    public static readonly string[] Scopes = ["user:inference", "user:profile"];

    /// <summary>The baseline's credential file (<c>claudeAiOauth</c>) plus an unknown key that must survive rewrites.</summary>
    public string ToCredentialsJson(long? expiresAtMs = null) => new JsonObject
    {
        ["claudeAiOauth"] = new JsonObject
        {
            ["accessToken"] = AccessToken,
            ["refreshToken"] = RefreshToken,
            ["expiresAt"] = expiresAtMs ?? ExpiresAtMs,
            ["scopes"] = new JsonArray(Scopes.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["subscriptionType"] = "max",
        },
        ["mcpOAuth"] = new JsonObject { ["keep"] = "me" },
    }.ToJsonString();

    /// <summary>Writes <see cref="ToCredentialsJson"/> to a file with mode 0600.</summary>
    public void WriteTo(string path, long? expiresAtMs = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToCredentialsJson(expiresAtMs));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public override string ToString() => $"IssuedCredentials {{ Profile = {Profile}, ExpiresAtMs = {ExpiresAtMs} }}";
}
