namespace AiSandbox.TokenRefresher.Chains;

/// <summary>A complete, unexpired copy of a chain found on disk.</summary>
/// <param name="Profile">The profile it belongs to (from <c>.profile</c> or the settings file name).</param>
/// <param name="ExpiresAt">Epoch milliseconds.</param>
/// <param name="Path">Full path of the copy.</param>
/// <param name="IsSettingsCopy">True for <c>$SETTINGS_DIR/.credentials.&lt;profile&gt;.json</c>, false for a history session copy.</param>
public sealed record ActiveCopy(string Profile, long ExpiresAt, string Path, bool IsSettingsCopy = false);

/// <summary><c>HISTORY_DAYS</c> is not a positive integer; the search refuses to guess a window.</summary>
public sealed class HistoryWindowException(string value) : Exception("invalid history search window")
{
    public string Value { get; } = value;
}
