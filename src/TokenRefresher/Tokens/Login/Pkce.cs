using System.Security.Cryptography;
using System.Text;

namespace AiSandbox.TokenRefresher.Login;

/// <summary>PKCE values (RFC 7636, S256) and the state, as the baseline makes them (6.7 step 2).</summary>
internal sealed record Pkce(string Verifier, string Challenge, string State)
{
    public static Pkce Create()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, ChallengeOf(verifier), Base64Url(RandomNumberGenerator.GetBytes(32)));
    }

    public static string ChallengeOf(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public override string ToString() => "Pkce { [redacted] }";
}
