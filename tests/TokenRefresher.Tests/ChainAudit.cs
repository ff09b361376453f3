using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AiSandbox.TokenRefresher.Tests;

/// <summary>Where a chain ended after a fault or a stop, judged from the server's side.</summary>
public enum ChainEnd
{
    /// <summary>Every copy holds a refresh token the server still accepts.</summary>
    Live,

    /// <summary>Some copy holds a spent token, and the chain is marked needing login for exactly that token.</summary>
    MarkedNeedsLogin,

    /// <summary>Some copy holds a spent token and nothing says so: the chain is lost.</summary>
    Lost,
}

/// <summary>Judges the copies of one chain against the loopback server.</summary>
public static class ChainAudit
{
    public static string MarkPath(Sandbox box, string profile) => Path.Combine(box.Settings, $".credentials.{profile}.json.needs-login");

    public static ChainEnd Judge(Sandbox box, string profile, params string[] copies)
    {
        var tokens = copies.Select(Sandbox.RefreshToken).ToList();
        if (tokens.All(box.Server.IsRefreshTokenLive))
        {
            return ChainEnd.Live;
        }

        // The newest copy decides what the refresher would send; the mark must name exactly that token.
        var newest = copies.MaxBy(Sandbox.ExpiresAt)!;
        return MarkedFor(box, profile, Sandbox.RefreshToken(newest)) ? ChainEnd.MarkedNeedsLogin : ChainEnd.Lost;
    }

    public static bool MarkedFor(Sandbox box, string profile, string refreshToken)
    {
        var path = MarkPath(box, profile);
        if (!File.Exists(path))
        {
            return false;
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)))[..16];
        return JsonNode.Parse(File.ReadAllText(path))?["refreshTokenSha256Prefix"]?.GetValue<string>() == fingerprint;
    }
}
