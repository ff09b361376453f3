namespace AiSandbox.TokenRefresher.Chains;

/// <summary>An expiry (epoch milliseconds) as people read it in logs and listings: UTC, to the second.</summary>
public static class ExpiryText
{
    public static string Human(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, epochMs)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
