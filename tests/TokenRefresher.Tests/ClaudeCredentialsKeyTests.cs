using AiSandbox.TokenRefresher.Credentials;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>Which top-level key holds Claude's tokens: claudeAiOauth when present, else the baseline's rule without mcp* keys.</summary>
public sealed class ClaudeCredentialsKeyTests
{
    [Theory]
    [InlineData("claudeAiOauth", "mcpOAuth", "claudeAiOauth")]
    [InlineData("claudeAiOauth", "otherOauth", "claudeAiOauth")]
    [InlineData("someOAuth", "mcpOAuth", "someOAuth")]
    [InlineData("legacyOauth", "legacyOauth", "laterOauth")]
    [InlineData(null, "mcpOAuth")]
    [InlineData(null, "MCPOAUTH", "mcp_oauth_clients")]
    [InlineData(null, "other", "numStartups")]
    public void The_credentials_key(string? expected, params string[] keys) => Assert.Equal(expected, ClaudeCredentials.OAuthKeyOf(keys));
}
