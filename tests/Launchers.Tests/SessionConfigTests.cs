using System.Text.Json.Nodes;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.SessionConfig;
using AiSandbox.TestSupport;

namespace AiSandbox.Launchers.Tests;

/// <summary>The session-config component, called in-process.</summary>
public sealed class SessionConfigTests
{
    private static ClaudeConfigSources Sources(TempDir t) => new(
        ClaudeJsonTemplate: t["claude.json"],
        SettingsTemplate: t["settings.json"],
        ProfileSettings: t["profile/settings.json"],
        BlocklistFiles: [t["blocklist"]],
        PluginRoot: t["plugins"],
        SentryTokenFile: t["sentry.token"],
        SentryHostFile: t["sentry.host"],
        AppDir: t["app"]);

    [Fact]
    public void Merge_is_deep_overlay_wins_and_unknown_keys_survive()
    {
        var merged = JsonMerge.Merge(
            JsonNode.Parse("""{"a":1,"env":{"X":"1","Y":"2"},"list":[1,2],"unknown":{"deep":{"k":true}}}""")!.AsObject(),
            JsonNode.Parse("""{"a":2,"env":{"Y":"3","Z":"4"},"list":[3]}""")!.AsObject());

        Assert.Equal("""{"a":2,"env":{"X":"1","Y":"3","Z":"4"},"list":[3],"unknown":{"deep":{"k":true}}}""", merged.ToJsonString());
    }

    [Fact]
    public void Settings_keep_unknown_keys_and_get_switches_and_blocklist()
    {
        using var t = new TempDir();
        File.WriteAllText(t["settings.json"], """{"model":"m","someFutureKey":{"x":[1,{"y":null}]},"enabledPlugins":{"other@x":true}}""");
        Directory.CreateDirectory(t["plugins/p1"]);
        File.WriteAllText(t["blocklist"], "p1 # comment\n p/1 \n");
        Directory.CreateDirectory(t["home"]);
        var log = new StringWriter();

        ClaudeSessionConfig.Load(Sources(t)).WriteSettings(t["home"], new ClaudeSettingsSwitches(RemoteControl: true, FastMode: true), new LogfmtLog(log, null));

        var settings = JsonNode.Parse(File.ReadAllText(t["home/settings.json"]))!;
        Assert.Equal("""{"x":[1,{"y":null}]}""", settings["someFutureKey"]!.ToJsonString());
        Assert.True((bool)settings["enabledPlugins"]!["other@x"]!);
        Assert.False((bool)settings["enabledPlugins"]!["p1@skills-dir"]!);
        Assert.True((bool)settings["remoteControlAtStartup"]!);
        Assert.True((bool)settings["fastMode"]!);
        Assert.Equal(string.Empty, log.ToString());
    }

    [Theory]
    [InlineData("settings.json", ClaudeSessionConfig.InvalidSettingsTemplate)]
    [InlineData("claude.json", ClaudeSessionConfig.InvalidTemplate)]
    [InlineData("profile/settings.json", ClaudeSessionConfig.InvalidProfileSettings)]
    public void Invalid_json_names_the_file_and_nothing_is_written(string file, string message)
    {
        using var t = new TempDir();
        Directory.CreateDirectory(t["profile"]);
        File.WriteAllText(t[file], "[1,");

        var e = Assert.Throws<SessionConfigException>(() => ClaudeSessionConfig.Load(Sources(t)));

        Assert.Equal(message, e.Message);
        Assert.Equal(t[file], e.Path);
        Assert.DoesNotContain("[1,", e.Reason);
    }

    [Fact]
    public void A_non_object_top_level_is_invalid_too()
    {
        using var t = new TempDir();
        File.WriteAllText(t["settings.json"], "[]");
        var e = Assert.Throws<SessionConfigException>(() => ClaudeSessionConfig.Load(Sources(t)));
        Assert.Equal("the top level is not a JSON object", e.Reason);
    }

    [Fact]
    public void Claude_json_on_resume_is_kept_but_gets_the_current_sentry_server()
    {
        using var t = new TempDir();
        File.WriteAllText(t["claude.json"], """{"hasCompletedOnboarding":true}""");
        File.WriteAllText(t["sentry.token"], "new-token");
        Directory.CreateDirectory(t["home"]);
        File.WriteAllText(t["home/claude.json"], """{"session":"state","mcpServers":{"sentry":{"old":true},"other":{"x":1}}}""");
        // A home made by the baseline's mkdir -p, with its world-readable claude.json.
        File.SetUnixFileMode(t["home"], (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(t["home/claude.json"], (UnixFileMode)0b110_100_100);

        ClaudeSessionConfig.Load(Sources(t)).WriteClaudeJson(t["home"], keepExisting: true);

        // The token now in it: the file is 0600 and the home 0700.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(t["home/claude.json"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(t["home"]));

        var doc = JsonNode.Parse(File.ReadAllText(t["home/claude.json"]))!;
        Assert.Equal("state", (string)doc["session"]!);
        Assert.Equal(1, (int)doc["mcpServers"]!["other"]!["x"]!);
        Assert.Null(doc["mcpServers"]!["sentry"]!["old"]);
        Assert.Equal("new-token", (string)doc["mcpServers"]!["sentry"]!["env"]!["SENTRY_ACCESS_TOKEN"]!);
    }

    [Fact]
    public void Symlinked_app_dir_gets_a_trust_entry_under_its_physical_path()
    {
        using var t = new TempDir();
        Directory.CreateDirectory(t["real-app"]);
        File.CreateSymbolicLink(t["app"], t["real-app"]);
        File.WriteAllText(t["claude.json"], "{\"projects\":{\"" + t["app"] + "\":{\"hasTrustDialogAccepted\":true}}}");
        Directory.CreateDirectory(t["home"]);

        ClaudeSessionConfig.Load(Sources(t)).WriteClaudeJson(t["home"], keepExisting: false);

        var projects = JsonNode.Parse(File.ReadAllText(t["home/claude.json"]))!["projects"]!;
        Assert.True((bool)projects[t["real-app"]]!["hasTrustDialogAccepted"]!);
    }

    [Fact]
    public void Skills_link_baked_plugins_and_drop_dangling_links()
    {
        using var t = new TempDir();
        Directory.CreateDirectory(t["plugins/good/.claude-plugin"]);
        File.WriteAllText(t["plugins/good/.claude-plugin/plugin.json"], "{}");
        Directory.CreateDirectory(t["plugins/not-a-plugin"]);
        Directory.CreateDirectory(t["home/skills/mine"]);
        File.CreateSymbolicLink(t["home/skills/gone"], t["nowhere"]);

        ClaudePlugins.LinkSkills(t["plugins"], t["home"]);

        Assert.Equal(t["plugins/good"], new DirectoryInfo(t["home/skills/good"]).LinkTarget);
        Assert.False(Directory.Exists(t["home/skills/not-a-plugin"]));
        Assert.Null(new FileInfo(t["home/skills/gone"]).LinkTarget);
        Assert.True(Directory.Exists(t["home/skills/mine"]));
    }

    [Fact]
    public void Codex_config_quotes_paths_and_appends_the_plugin_fragment_last()
    {
        var toml = CodexSessionConfig.Render(["/app", "/home/a \"b\"", "/app"], "[plugins.x]\nenabled = true");

        Assert.StartsWith("approval_policy = \"never\"\n", toml);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(toml, @"\[projects\.""/app""\]"));
        Assert.Contains("[projects.\"/home/a \\\"b\\\"\"]", toml);
        Assert.EndsWith("[plugins.x]\nenabled = true\n", toml);
    }
}
