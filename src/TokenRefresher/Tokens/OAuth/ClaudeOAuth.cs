namespace AiSandbox.TokenRefresher.OAuth;

/// <summary>The fixed facts of Claude's OAuth client (baseline 6.2).</summary>
internal static class ClaudeOAuth
{
    public const string ClientId = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";

    public const string RedirectUri = "https://platform.claude.com/oauth/code/callback";

    public static readonly IReadOnlyList<string> DefaultScopes =
    [
        "org:create_api_key", "user:profile", "user:inference", "user:sessions:claude_code", "user:mcp_servers", "user:file_upload",
    ];

    // The endpoint rejects requests that do not look like Claude Code's own client.
    public const string Accept = "application/json, text/plain, */*";

    public const string UserAgent = "axios/1.13.6";
}
