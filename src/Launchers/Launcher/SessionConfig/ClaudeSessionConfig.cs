using System.Text.Json.Nodes;
using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>Where the inputs of a Claude session home come from (paths resolved by the launcher from its environment).</summary>
internal sealed record ClaudeConfigSources(
    string ClaudeJsonTemplate,
    string SettingsTemplate,
    string ProfileSettings,
    IReadOnlyList<string> BlocklistFiles,
    string PluginRoot,
    string SentryTokenFile,
    string SentryHostFile,
    string AppDir = "/app");

/// <summary>Per-launch switches that land in settings.json.</summary>
internal sealed record ClaudeSettingsSwitches(bool RemoteControl, bool FastMode);

/// <summary>
/// The Claude half of the session config: claude.json from the template plus the Sentry MCP server, and
/// settings.json from the baked template merged with the profile's file, then blocklist, remote control
/// and fast mode. <see cref="Load"/> parses every input first, so a broken file stops the launch before
/// anything in the session home changes.
/// </summary>
internal sealed class ClaudeSessionConfig
{
    public const string InvalidTemplate = "invalid Claude JSON template";
    public const string InvalidSettingsTemplate = "invalid Claude settings template";
    public const string InvalidProfileSettings = "invalid Claude profile settings";
    public const string InvalidSessionClaudeJson = "invalid session claude.json";
    public const string UnreadableSentrySettings = "cannot read the Sentry MCP settings";

    private readonly ClaudeConfigSources _sources;
    private readonly JsonObject? _claudeJsonTemplate;
    private readonly JsonObject _settings;
    private readonly SentryServer? _sentry;

    private ClaudeSessionConfig(ClaudeConfigSources sources, JsonObject? claudeJsonTemplate, JsonObject settings, SentryServer? sentry)
    {
        _sources = sources;
        _claudeJsonTemplate = claudeJsonTemplate;
        _settings = settings;
        _sentry = sentry;
    }

    /// <exception cref="SessionConfigException">A template or the profile settings is not valid JSON.</exception>
    public static ClaudeSessionConfig Load(ClaudeConfigSources sources)
    {
        var template = JsonFile.ReadObject(sources.ClaudeJsonTemplate, InvalidTemplate);
        var baked = JsonFile.ReadObject(sources.SettingsTemplate, InvalidSettingsTemplate) ?? [];
        var profile = JsonFile.ReadObject(sources.ProfileSettings, InvalidProfileSettings);
        var settings = profile is null ? baked : JsonMerge.Merge(baked, profile);
        return new ClaudeSessionConfig(sources, template, settings, ReadSentry(sources));
    }

    /// <exception cref="SessionConfigException">A Sentry MCP file exists but cannot be read (a pipe, a directory, no permission).</exception>
    private static SentryServer? ReadSentry(ClaudeConfigSources sources)
    {
        try
        {
            return SentryServer.Read(sources.SentryTokenFile, sources.SentryHostFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var path = e switch
            {
                Common.IO.NotRegularFileException n => n.Path,
                Common.IO.FileTooLargeException t => t.Path,
                _ => sources.SentryTokenFile,
            };
            throw new SessionConfigException(UnreadableSentrySettings, path, e is Common.IO.NotRegularFileException nr ? nr.Reason : e.Message, e);
        }
    }

    public bool HasSentry => _sentry is not null;

    /// <summary>
    /// Writes <c>&lt;home&gt;/claude.json</c>: a copy of the template unless <paramref name="keepExisting"/> (resume)
    /// and one is there, then the Sentry server when a token is configured. Returns the file, or null when
    /// there is neither template nor session file.
    /// </summary>
    public string? WriteClaudeJson(string home, bool keepExisting)
    {
        var path = Path.Combine(home, "claude.json");
        JsonObject? document = null;
        if (_claudeJsonTemplate is not null && !(keepExisting && File.Exists(path)))
        {
            document = (JsonObject)_claudeJsonTemplate.DeepClone();
            AddResolvedAppProject(document);
        }
        else if (File.Exists(path) && _sentry is not null)
        {
            document = JsonFile.ReadObject(path, InvalidSessionClaudeJson);
        }

        if (document is null)
        {
            return File.Exists(path) ? path : null;
        }

        if (_sentry is not null)
        {
            var servers = document["mcpServers"] as JsonObject;
            if (servers is null)
            {
                servers = [];
                document["mcpServers"] = servers;
            }

            servers["sentry"] = _sentry.ToMcpServer();
            // The file now holds the token: a home made by an older launcher (mkdir -p, 0755) is closed too.
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        JsonFile.Write(path, document);
        return path;
    }

    /// <summary>Writes <c>&lt;home&gt;/settings.json</c> on every launch; resumed sessions get today's settings too.</summary>
    public string WriteSettings(string home, ClaudeSettingsSwitches switches, LogfmtLog log)
    {
        var settings = (JsonObject)_settings.DeepClone();
        foreach (var plugin in ClaudePlugins.ReadBlocklist(_sources.BlocklistFiles, _sources.PluginRoot, log))
        {
            if (settings["enabledPlugins"] is not JsonObject enabled)
            {
                enabled = [];
                settings["enabledPlugins"] = enabled;
            }

            enabled[plugin + "@skills-dir"] = false;
        }

        if (switches.RemoteControl)
        {
            settings["remoteControlAtStartup"] = true;
        }

        if (switches.FastMode)
        {
            settings["fastMode"] = true;
        }

        var path = Path.Combine(home, "settings.json");
        JsonFile.Write(path, settings);
        return path;
    }

    // When /app is a symlink or bind mount of another path, Claude keys the trust entry by the physical path.
    private void AddResolvedAppProject(JsonObject document)
    {
        var app = _sources.AppDir;
        if (document["projects"] is not JsonObject projects || projects[app] is not JsonObject entry)
        {
            return;
        }

        string? physical;
        try
        {
            physical = Directory.ResolveLinkTarget(app, returnFinalTarget: true)?.FullName;
        }
        catch (IOException)
        {
            physical = null;
        }

        if (physical is not null && physical != app && !projects.ContainsKey(physical))
        {
            projects[physical] = entry.DeepClone();
        }
    }
}
