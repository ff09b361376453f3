using System.Globalization;

namespace AiSandbox.TokenRefresher;

/// <summary>
/// Where credential copies live and how eagerly they are refreshed. Read once from the environment
/// (<see cref="FromEnvironment"/>) and validated there, so a bad value fails before any file is touched.
/// In-process callers (launchers, the host shim) build one and override what differs with <c>with</c>.
/// </summary>
public sealed record RefresherOptions
{
    /// <summary>Real Claude token endpoint (baseline 6.2).</summary>
    public const string DefaultTokenUrl = "https://platform.claude.com/v1/oauth/token";

    public const string DefaultAuthorizeUrl = "https://claude.ai/oauth/authorize";

    /// <summary>Directory scanned for <c>.credentials*.json</c>: the copies this process serves. Default <c>$HOME/.claude</c>.</summary>
    public required string CredentialsDir { get; init; }

    /// <summary>
    /// Where each chain's settings copy <c>.credentials.&lt;profile&gt;.json</c> and its lock live. Default:
    /// <c>SETTINGS_DIR</c>, else <c>/settings</c> when it exists, else <see cref="CredentialsDir"/>.
    /// </summary>
    public required string SettingsDir { get; init; }

    /// <summary>Root of the session histories searched for active copies. Default <c>$HOME/ai/history</c>.</summary>
    public required string HistoryDir { get; init; }

    /// <summary>
    /// The raw <c>HISTORY_DAYS</c> (default "2"). Kept raw because, as in the baseline, only the history
    /// search fails on a bad value; see <see cref="TryGetHistoryDays"/>.
    /// </summary>
    public string HistoryDays { get; init; } = "2";

    /// <summary>Longest daemon sleep (<c>CHECK_INTERVAL</c>, default 300 s).</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Refresh when fewer than this remain (<c>REFRESH_BEFORE</c>, default 3600 s).</summary>
    public TimeSpan RefreshBefore { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>
    /// The shortest time between two refreshes of one chain by one long-running process (default 60 s),
    /// whatever lifetime the server issues.
    /// </summary>
    public TimeSpan MinimumRefreshInterval { get; init; } = TimeSpan.FromSeconds(60);

    public Uri TokenUrl { get; init; } = new(DefaultTokenUrl);

    public Uri AuthorizeUrl { get; init; } = new(DefaultAuthorizeUrl);

    /// <summary>Per-request timeout of one OAuth HTTP attempt (<c>OAUTH_HTTP_TIMEOUT</c>, default 15 s).</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after a network error, timeout or 5xx (<c>OAUTH_HTTP_RETRIES</c>, default 2).</summary>
    public int HttpRetries { get; init; } = 2;

    /// <summary>First retry delay; doubles each retry, with jitter (<c>OAUTH_HTTP_RETRY_DELAY_MS</c>, default 500 ms).</summary>
    public TimeSpan HttpRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait for a chain lock held by another process (<c>CHAIN_LOCK_TIMEOUT</c>, default 60 s).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First wait after a rate-limited login exchange; doubles over 5 attempts (baseline 60 s).</summary>
    public TimeSpan LoginRateLimitDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The history search window, or an error naming the bad value (baseline: positive integer).</summary>
    public bool TryGetHistoryDays(out int days) =>
        int.TryParse(HistoryDays, NumberStyles.None, CultureInfo.InvariantCulture, out days) && days > 0;

    /// <exception cref="OptionsException">A variable holds a value we cannot use; the message names it.</exception>
    public static RefresherOptions FromEnvironment(Func<string, string?> env)
    {
        var home = Get(env, "HOME");
        var credentials = Get(env, "CREDENTIALS_DIR") ?? (home is null
            ? throw new OptionsException("HOME is not set and CREDENTIALS_DIR is not given", "HOME", null)
            : Path.Combine(home, ".claude"));
        var settings = Get(env, "SETTINGS_DIR") ?? (Directory.Exists("/settings") ? "/settings" : credentials);
        var history = Get(env, "HISTORY_DIR") ?? Path.Combine(home ?? "/", "ai", "history");

        return new RefresherOptions
        {
            CredentialsDir = credentials,
            SettingsDir = settings,
            HistoryDir = history,
            HistoryDays = env("HISTORY_DAYS") ?? "2",
            CheckInterval = Seconds(env, "CHECK_INTERVAL", 300, min: 1),
            RefreshBefore = Seconds(env, "REFRESH_BEFORE", 3600, min: 0),
            TokenUrl = Url(env, "CLAUDE_OAUTH_TOKEN_URL", DefaultTokenUrl),
            AuthorizeUrl = Url(env, "CLAUDE_OAUTH_AUTHORIZE_URL", DefaultAuthorizeUrl),
            HttpTimeout = TimeSpan.FromMilliseconds(Number(env, "OAUTH_HTTP_TIMEOUT", 15, min: 1) * 1000),
            HttpRetries = (int)Number(env, "OAUTH_HTTP_RETRIES", 2, min: 0, max: 10),
            HttpRetryDelay = TimeSpan.FromMilliseconds(Number(env, "OAUTH_HTTP_RETRY_DELAY_MS", 500, min: 0, max: 60_000)),
            LockTimeout = Seconds(env, "CHAIN_LOCK_TIMEOUT", 60, min: 1),
            LoginRateLimitDelay = Seconds(env, "LOGIN_RATE_LIMIT_DELAY", 60, min: 0),
        };
    }

    private static string? Get(Func<string, string?> env, string name) => env(name) is { Length: > 0 } v ? v : null;

    private static TimeSpan Seconds(Func<string, string?> env, string name, long fallback, long min) =>
        TimeSpan.FromSeconds(Number(env, name, fallback, min, max: 365L * 24 * 3600));

    private static long Number(Func<string, string?> env, string name, long fallback, long min, long max = long.MaxValue)
    {
        var raw = Get(env, name);
        if (raw is null)
        {
            return fallback;
        }

        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new OptionsException($"{name} must be an integer from {min} to {max}", name, raw);
        }

        return value;
    }

    private static Uri Url(Func<string, string?> env, string name, string fallback)
    {
        var raw = Get(env, name) ?? fallback;
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new OptionsException($"{name} must be an http(s) URL", name, raw);
        }

        return uri;
    }
}

/// <summary>An environment variable holds an unusable value.</summary>
public sealed class OptionsException(string message, string variable, string? value) : Exception(message)
{
    public string Variable { get; } = variable;

    public string? Value { get; } = value;
}
