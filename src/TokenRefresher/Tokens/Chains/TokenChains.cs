using AiSandbox.Common.IO;
using AiSandbox.TokenRefresher.Credentials;
using AiSandbox.TokenRefresher.OAuth;
using Microsoft.Extensions.Logging;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// What the launchers (<c>c</c>, <c>claude-login</c>), the host shim (<c>bin/ai</c>) and the
/// <c>refresh-tokens</c> commands call in-process to work with OAuth chains. Every method that reads a
/// copy to decide on a write holds the chain lock for the whole read-decide-write.
/// Dispose it to release the HTTP pipeline (built only when a refresh is actually needed).
/// </summary>
public sealed class TokenChains : IDisposable
{
    private readonly RefresherOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lazy<ITokenEndpoint> _endpoint;
    private readonly RecentRefreshes _recent = new();
    private OwnedHttpClientFactory? _ownedFactory;

    /// <param name="options">Directories and timings (see <see cref="RefresherOptions.FromEnvironment"/>).</param>
    /// <param name="logger">Receives the baseline's logfmt events; <see cref="Common.Logging.LogfmtLogger"/> in a CLI.</param>
    /// <param name="time">The clock for expiry decisions and lock waits.</param>
    /// <param name="endpoint">The token endpoint; default: Claude's, at <see cref="RefresherOptions.TokenUrl"/>,
    /// over IHttpClientFactory with the Polly policies of <see cref="OAuthHttp"/>.</param>
    public TokenChains(RefresherOptions options, ILogger logger, TimeProvider time)
        : this(options, logger, time, endpoint: null)
    {
    }

    internal TokenChains(RefresherOptions options, ILogger logger, TimeProvider time, ITokenEndpoint? endpoint)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _endpoint = new Lazy<ITokenEndpoint>(() => endpoint ?? CreateEndpoint());
    }

    /// <param name="clients">A factory that has <see cref="OAuthHttp.AddOAuthHttp"/> registered (the daemon's host).</param>
    public TokenChains(RefresherOptions options, ILogger logger, TimeProvider time, IHttpClientFactory clients)
        : this(options, logger, time, new ClaudeTokenEndpoint(clients, options.TokenUrl))
    {
    }

    public RefresherOptions Options => _options;

    /// <summary>The token endpoint this instance uses (built on first use).</summary>
    internal ITokenEndpoint Endpoint => _endpoint.Value;

    /// <summary>The chain of <paramref name="profile"/> (null: the unnamed <c>.credentials.json</c> chain).</summary>
    /// <exception cref="ArgumentException">Not a valid profile name.</exception>
    public Chain ChainFor(string? profile) => Chain.ForProfile(_options.SettingsDir, profile);

    /// <summary>
    /// Takes the chain lock of <paramref name="profile"/>, waiting at most <see cref="RefresherOptions.LockTimeout"/>.
    /// Hold it around any read-decide-write of a copy of that chain that this class does not do for you.
    /// </summary>
    /// <exception cref="TimeoutException">Another process held the chain for the whole wait.</exception>
    public Task<FileLock> LockAsync(string? profile, CancellationToken cancellationToken = default) =>
        ChainLock.AcquireAsync(ChainFor(profile), _options.LockTimeout, _time, cancellationToken);

    /// <summary>
    /// Active history copies (baseline <c>--list-active</c>): complete, unexpired session copies modified
    /// within <c>HISTORY_DAYS</c>, freshest first. Does not lock: it only reads.
    /// </summary>
    /// <exception cref="HistoryWindowException">HISTORY_DAYS is not a positive integer.</exception>
    public IReadOnlyList<ActiveCopy> ListActive(string? profile) => new HistorySearch(_options, _time).Find(profile);

    /// <summary>
    /// The newest valid copy of a profile's chain: the freshest unexpired copy among the history session
    /// copies and, when <paramref name="includeSettingsCopy"/>, the settings copy. Null when none is valid.
    /// </summary>
    /// <exception cref="HistoryWindowException">HISTORY_DAYS is not a positive integer.</exception>
    public ActiveCopy? FindNewestValid(string profile, bool includeSettingsCopy = true)
    {
        var active = ListActive(profile);
        var best = active.Count > 0 ? active[0] : null;
        if (includeSettingsCopy && ChainFor(profile).SettingsCopy is { } path && ReadValid(path) is { } settings &&
            (best is null || settings.ExpiresAt >= best.ExpiresAt))
        {
            best = new ActiveCopy(profile, settings.ExpiresAt, settings.Path, IsSettingsCopy: true);
        }

        return best;
    }

    /// <summary>
    /// Copies the newest valid copy of <paramref name="profile"/>'s chain to <paramref name="destination"/>
    /// atomically (0600), under the chain lock. What <c>--copy-active</c> (history only), <c>c</c> and
    /// <c>claude-login</c> use. Never replaces a destination that already holds a later <c>expiresAt</c>,
    /// never writes through a symlink, never creates the destination directory.
    /// </summary>
    /// <param name="durable">False for a session home's copy, which the chain can always give again: atomic, not fsync'd.</param>
    /// <param name="fallbackToSettingsCopy">When no copy is valid, take the newest complete one anyway, the settings copy
    /// or an expired history copy (its refresh token may still work), but still only over a destination with an
    /// earlier <c>expiresAt</c>: between two expired copies of one chain the later expiry holds the later refresh
    /// token. An unusable HISTORY_DAYS then means "no history copy" instead of an exception.</param>
    /// <exception cref="HistoryWindowException">HISTORY_DAYS is not a positive integer (without <paramref name="fallbackToSettingsCopy"/>).</exception>
    /// <exception cref="TimeoutException">The chain lock was not free in time.</exception>
    public async Task<CopyResult> CopyNewestAsync(string profile, string destination, bool includeSettingsCopy = true, bool durable = true,
        bool fallbackToSettingsCopy = false, CancellationToken cancellationToken = default)
    {
        var dest = Path.GetFullPath(destination);
        if (!Directory.Exists(Path.GetDirectoryName(dest)))
        {
            return new CopyResult(CopyStatus.DestinationDirectoryMissing, null, dest);
        }

        using var held = await LockAsync(profile, cancellationToken).ConfigureAwait(false);
        ActiveCopy? source;
        IReadOnlyList<ActiveCopy> expired = [];
        try
        {
            source = FindNewestValid(profile, includeSettingsCopy);
            if (source is null && fallbackToSettingsCopy)
            {
                expired = new HistorySearch(_options, _time).FindAll(profile);
            }
        }
        catch (HistoryWindowException) when (fallbackToSettingsCopy)
        {
            source = null;
        }

        if (source is null && fallbackToSettingsCopy)
        {
            // Nothing valid: the newest complete copy, expired or not, holds the chain's newest refresh token.
            var settings = ReadAny(ChainFor(profile).SettingsCopy!);
            source = expired.Count > 0 && (settings is null || expired[0].ExpiresAt > settings.ExpiresAt) ? expired[0] : settings;
        }

        if (source is null)
        {
            return new CopyResult(CopyStatus.NoneFound, null, dest);
        }

        CredentialCopy? current;
        try
        {
            current = CredentialCopy.LoadIfExists(dest);
        }
        catch (CredentialReadException e) when (e.Reason.Contains("symbolic link", StringComparison.Ordinal))
        {
            throw new SymlinkRefusedException(dest);
        }
        catch (CredentialReadException)
        {
            current = null; // an unusable destination is simply replaced
        }

        // Re-read under the lock: the file we picked may have been replaced since the search (a session's own
        // client writes its copy without our lock), so the bytes written are the bytes compared. A history copy
        // may be anything, so no symlink and nothing outside the history root.
        var bytes = source.IsSettingsCopy
            ? BoundedFile.ReadAllBytes(source.Path)
            : BoundedFile.ReadAllBytes(source.Path, BoundedFile.DefaultMaxBytes, followSymlink: false, within: _options.HistoryDir);
        if (ParseOrNull(bytes) is not { IsComplete: true, ExpiresAt: { } pickedExpiry } picked)
        {
            return new CopyResult(CopyStatus.NoneFound, null, dest);
        }

        // Later, or these very tokens (the pick may be the destination itself, reached by another path).
        if (current is not null && (current.ExpiresAtOrMin > pickedExpiry ||
            (current.ExpiresAtOrMin == pickedExpiry && current.Credentials!.RefreshToken == picked.RefreshToken)))
        {
            return new CopyResult(CopyStatus.DestinationNewer, source, dest);
        }

        AtomicFile.WriteAllBytes(dest, bytes, durable: durable);
        return new CopyResult(CopyStatus.Copied, source, dest);
    }

    /// <summary>
    /// Brings one profile's settings copy up to date now (what <c>bin/ai</c> does before a launch): under
    /// the chain lock, adopts the newest copy (by <c>expiresAt</c>) among the settings copy and every complete
    /// history copy in the window, expired ones included (an expired session copy may still hold the chain's
    /// newest refresh token, and refreshing an older one would spend a token the chain has moved past),
    /// then refreshes when it is in the refresh window (or always, with <paramref name="force"/>).
    /// The outcome's <see cref="ChainOutcome.AdoptedFrom"/> names a history copy that was taken over.
    /// A missing settings copy is <see cref="ChainState.Failed"/> with an error line.
    /// </summary>
    public async Task<ChainOutcome> RefreshProfileAsync(string profile, bool force = false, CancellationToken cancellationToken = default)
    {
        var chain = ChainFor(profile);
        IReadOnlyList<string> history = [];
        try
        {
            history = new HistorySearch(_options, _time).FindAll(profile).Select(c => c.Path).ToList();
        }
        catch (HistoryWindowException)
        {
        }

        return await Refresher().RefreshAsync(chain, chain.SettingsCopy!, history, force, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps one served copy fresh (the unit of <see cref="RunCycleAsync"/>).</summary>
    public Task<ChainOutcome> RefreshCopyAsync(string servedPath, bool force = false, CancellationToken cancellationToken = default) =>
        Refresher().RefreshAsync(Chain.ForServedCopy(_options.SettingsDir, servedPath), servedPath, [], force, cancellationToken);

    /// <summary>
    /// One cycle (baseline <c>run</c>): every <c>$CREDENTIALS_DIR/.credentials*.json</c>, each under its chain
    /// lock; one file's failure never stops the others. <paramref name="cancellationToken"/> stops the cycle
    /// before the next chain (or during a lock wait); a refresh already sent is finished and written first.
    /// </summary>
    public Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken = default) => RunCycleAsync(alive: null, cancellationToken);

    /// <inheritdoc cref="RunCycleAsync(CancellationToken)"/>
    /// <param name="alive">Called as the cycle makes progress: before each chain, while waiting for a chain
    /// lock, around each token request (the daemon's watchdog beat).</param>
    /// <param name="cancellationToken">Stops the cycle between steps.</param>
    public async Task<CycleReport> RunCycleAsync(Action? alive, CancellationToken cancellationToken)
    {
        var dir = _options.CredentialsDir;
        var outcomes = new List<ChainOutcome>();
        if (!Directory.Exists(dir))
        {
            RefreshLog.DirNotFound(_logger, dir);
            return new CycleReport(outcomes, _time.GetUtcNow());
        }

        List<string> files;
        try
        {
            files = Directory.EnumerateFiles(dir, ".credentials*.json", new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 })
                .Where(f => IsCredentialFileName(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            RefreshLog.DirUnreadable(_logger, dir, e.GetType().Name == nameof(UnauthorizedAccessException) ? "permission denied" : e.Message);
            return new CycleReport(outcomes, _time.GetUtcNow(), DirectoryFailed: true);
        }

        if (files.Count == 0)
        {
            RefreshLog.NoFiles(_logger, dir);
        }

        // The token is a stop: it ends the cycle between chains and a lock wait, never a refresh under way.
        var refresher = Refresher();
        foreach (var file in files)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            alive?.Invoke();
            try
            {
                outcomes.Add(await refresher.RefreshAsync(Chain.ForServedCopy(_options.SettingsDir, file), file, [], false, alive, cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return new CycleReport(outcomes, _time.GetUtcNow(), Stopped: cancellationToken.IsCancellationRequested);
    }

    /// <summary>True when the chain's newest refresh token was rejected and a login is needed.</summary>
    public bool NeedsLogin(string? profile) => NeedsLoginMark.IsMarked(ChainFor(profile));

    /// <summary>Forgets a needs-login mark (after a login wrote new tokens).</summary>
    public void ClearNeedsLogin(string? profile) => NeedsLoginMark.Clear(ChainFor(profile));

    /// <summary>Profiles whose chain carries a needs-login mark in the settings directory.</summary>
    public IReadOnlyList<string> ProfilesNeedingLogin()
    {
        try
        {
            return Directory.EnumerateFiles(_options.SettingsDir, ".credentials*.json.needs-login")
                .Select(p => Path.GetFileName(p)[..^".needs-login".Length])
                .Select(n => Chain.ProfileFromFileName(n) ?? (n == ".credentials.json" ? "default" : null))
                .Where(p => p is not null)
                .Select(p => p!)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public void Dispose() => _ownedFactory?.Dispose();

    /// <summary><c>.credentials.json</c> or <c>.credentials.&lt;name&gt;.json</c>; not temp files or locks.</summary>
    public static bool IsCredentialFileName(string name) =>
        name == ".credentials.json" || Chain.ProfileFromFileName(name) is not null;

    private ChainRefresher Refresher() => new(_options, () => _endpoint.Value, _logger, _time, _recent);

    private ClaudeTokenEndpoint CreateEndpoint()
    {
        _ownedFactory = OAuthHttp.CreateFactory(_options);
        return new ClaudeTokenEndpoint(_ownedFactory, _options.TokenUrl);
    }

    private static ClaudeCredentials? ParseOrNull(byte[] bytes)
    {
        try
        {
            return ClaudeCredentials.Parse(bytes);
        }
        catch (CredentialFormatException)
        {
            return null;
        }
    }

    /// <summary>A complete copy, expired or not; null when missing or unusable.</summary>
    private static ActiveCopy? ReadAny(string path)
    {
        try
        {
            return CredentialCopy.LoadIfExists(path) is { IsComplete: true } copy
                ? new ActiveCopy(string.Empty, copy.ExpiresAtOrMin, copy.Path, IsSettingsCopy: true)
                : null;
        }
        catch (CredentialReadException)
        {
            return null;
        }
    }

    private ActiveCopy? ReadValid(string path) =>
        ReadAny(path) is { } copy && copy.ExpiresAt > _time.GetUtcNow().ToUnixTimeMilliseconds() ? copy : null;
}

public enum CopyStatus
{
    Copied,
    NoneFound,
    DestinationDirectoryMissing,

    /// <summary>The destination already holds a later expiresAt, or the same tokens; it was left alone.</summary>
    DestinationNewer,
}

/// <summary>What <see cref="TokenChains.CopyNewestAsync"/> did.</summary>
/// <param name="Status">The result.</param>
/// <param name="Source">The copy chosen, when one was found.</param>
/// <param name="Destination">Full destination path.</param>
public sealed record CopyResult(CopyStatus Status, ActiveCopy? Source, string Destination);
