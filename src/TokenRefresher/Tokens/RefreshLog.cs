using Microsoft.Extensions.Logging;

namespace AiSandbox.TokenRefresher;

/// <summary>
/// The refresher's log lines (baseline 6.4 plus the chain events). The literal words of each template
/// become <c>msg</c>, the holes become fields. No hole ever receives a token, code or verifier.
/// </summary>
internal static partial class RefreshLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "credentials dir not found, skipping {dir}")]
    public static partial void DirNotFound(ILogger logger, string dir);

    [LoggerMessage(Level = LogLevel.Error, Message = "credentials dir unreadable {dir} {error}")]
    public static partial void DirUnreadable(ILogger logger, string dir, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "no credential files found {dir}")]
    public static partial void NoFiles(ILogger logger, string dir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no refresh token {file} {profile}")]
    public static partial void NoRefreshToken(ILogger logger, string file, string profile);

    [LoggerMessage(Level = LogLevel.Information, Message = "token valid {file} {profile} {remaining_secs} {expires}")]
    public static partial void TokenValid(ILogger logger, string file, string profile, long remaining_secs, string expires);

    [LoggerMessage(Level = LogLevel.Information, Message = "refreshing {file} {profile} {remaining_secs} {expires}")]
    public static partial void Refreshing(ILogger logger, string file, string profile, long remaining_secs, string expires);

    [LoggerMessage(Level = LogLevel.Information, Message = "adopted newer credentials {file} {profile} {source} {expires}")]
    public static partial void Adopted(ILogger logger, string file, string profile, string source, string expires);

    [LoggerMessage(Level = LogLevel.Error, Message = "refresh request failed (no response) {file} {profile} {http_status} {error}")]
    public static partial void NoResponse(ILogger logger, string file, string profile, string http_status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rate limited, will retry next cycle {file} {profile} {http_status}")]
    public static partial void RateLimited(ILogger logger, string file, string profile, string http_status);

    [LoggerMessage(Level = LogLevel.Error, Message = "refresh failed {file} {profile} {http_status} {error} {body}")]
    public static partial void RefreshFailed(ILogger logger, string file, string profile, string http_status, string error, string body);

    [LoggerMessage(Level = LogLevel.Error, Message = "no access token in response {file} {profile} {http_status} {error}")]
    public static partial void NoAccessToken(ILogger logger, string file, string profile, string http_status, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "refresh token rejected, login needed {file} {profile} {http_status} {hint}")]
    public static partial void InvalidGrant(ILogger logger, string file, string profile, string http_status, string hint);

    [LoggerMessage(Level = LogLevel.Error, Message = "refresh outcome unknown, token kept and not sent again, login needed {file} {profile} {http_status} {error} {hint}")]
    public static partial void Uncertain(ILogger logger, string file, string profile, string http_status, string error, string hint);

    [LoggerMessage(Level = LogLevel.Error, Message = "login needed {file} {profile} {hint}")]
    public static partial void NeedsLogin(ILogger logger, string file, string profile, string hint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "issued lifetime not longer than REFRESH_BEFORE, refreshing at half the lifetime instead {file} {profile} {lifetime_secs} {refresh_before_secs}")]
    public static partial void LifetimeWithinWindow(ILogger logger, string file, string profile, long lifetime_secs, long refresh_before_secs);

    [LoggerMessage(Level = LogLevel.Information, Message = "refreshed {file} {profile} {expires}")]
    public static partial void Refreshed(ILogger logger, string file, string profile, string expires);

    [LoggerMessage(Level = LogLevel.Error, Message = "credential file unusable {file} {error}")]
    public static partial void Unusable(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignoring unusable copy {file} {error}")]
    public static partial void IgnoringCopy(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "chain busy {file} {profile} {lock_file} {error}")]
    public static partial void LockTimeout(ILogger logger, string file, string profile, string lock_file, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot write credentials {file} {profile} {error}")]
    public static partial void WriteFailed(ILogger logger, string file, string profile, string error);
}
