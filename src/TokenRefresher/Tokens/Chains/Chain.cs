using AiSandbox.Common.Cli;
using AiSandbox.Common.IO;

namespace AiSandbox.TokenRefresher.Chains;

/// <summary>
/// One profile's token lineage. Its copies are the settings copy
/// <c>$SETTINGS_DIR/.credentials.&lt;profile&gt;.json</c> (shared by the host and every container) and any
/// session copy <c>&lt;session&gt;/.credentials.json</c> whose sibling <c>.profile</c> names the profile.
/// Every read-decide-write of any copy happens under <see cref="LockPath"/>.
/// </summary>
/// <param name="Profile">The profile; null for the unnamed chain of <c>.credentials.json</c>.</param>
/// <param name="SettingsCopy">Path of the settings copy; null for a session copy that belongs to no profile.</param>
/// <param name="LockPath">The lock file: <c>&lt;settings copy&gt;.lock</c>, or <c>&lt;served copy&gt;.lock</c> without a profile.</param>
public sealed record Chain(string? Profile, string? SettingsCopy, string LockPath)
{
    /// <summary>Profile names become file names: the project's one rule, <see cref="ProfileName"/>.</summary>
    public static bool IsValidProfile(string? profile) => ProfileName.IsValid(profile);

    public string DisplayName => Profile ?? "default";

    /// <summary>The chain of a profile given the settings directory.</summary>
    /// <exception cref="ArgumentException">The profile is not a valid name.</exception>
    public static Chain ForProfile(string settingsDir, string? profile)
    {
        if (profile is not null && !IsValidProfile(profile))
        {
            throw new ArgumentException("invalid profile name", nameof(profile));
        }

        var settingsCopy = Path.Combine(Path.GetFullPath(settingsDir), SettingsFileName(profile));
        return new Chain(profile, settingsCopy, settingsCopy + ".lock");
    }

    public static string SettingsFileName(string? profile) => profile is null ? ".credentials.json" : $".credentials.{profile}.json";

    /// <summary>
    /// The chain a served copy belongs to: <c>.credentials.&lt;p&gt;.json</c> is profile p by name; a
    /// <c>.credentials.json</c> names its profile in a sibling <c>.profile</c>; in the settings directory
    /// itself it is the unnamed chain; otherwise it is a chain of its own.
    /// </summary>
    public static Chain ForServedCopy(string settingsDir, string servedPath)
    {
        var full = Path.GetFullPath(servedPath);
        var name = Path.GetFileName(full);
        var dir = Path.GetDirectoryName(full) ?? "/";
        if (ProfileFromFileName(name) is { } byName)
        {
            return ForProfile(settingsDir, byName);
        }

        if (ReadProfileFile(Path.Combine(dir, ".profile")) is { } sibling)
        {
            return ForProfile(settingsDir, sibling);
        }

        if (SameDirectory(dir, settingsDir))
        {
            return ForProfile(settingsDir, null);
        }

        return new Chain(null, null, full + ".lock");
    }

    /// <summary>"work" from ".credentials.work.json"; null for ".credentials.json" or an invalid name.</summary>
    public static string? ProfileFromFileName(string fileName)
    {
        if (fileName.Length <= ".credentials..json".Length || !fileName.StartsWith(".credentials.", StringComparison.Ordinal) ||
            !fileName.EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        var middle = fileName[".credentials.".Length..^".json".Length];
        return IsValidProfile(middle) ? middle : null;
    }

    /// <summary>The first line of a <c>.profile</c> file when it names a valid OAuth profile ("apikey" is none).</summary>
    /// <param name="path">The <c>.profile</c> file; read without blocking, a pipe or device there is no profile.</param>
    /// <param name="within">For a history session: the file must not be a symlink and must lie below this root.</param>
    public static string? ReadProfileFile(string path, string? within = null)
    {
        try
        {
            var text = BoundedFile.ReadAllText(path, 4096, followSymlink: within is null, within);
            var line = text.Split('\n', 2)[0].Trim();
            return line != "apikey" && IsValidProfile(line) ? line : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool SameDirectory(string a, string b)
    {
        try
        {
            return string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Resolve(string dir)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        var info = new DirectoryInfo(full);
        return info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
    }
}
