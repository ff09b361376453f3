using System.Text.Json.Nodes;
using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

public sealed class ClaudeResumeTests(StubAgent stub) : IClassFixture<StubAgent>
{
    private static string MakeSession(LauncherSandbox box, string name, string profile, string id)
    {
        var home = Path.Combine(box.History, "2026", "08_Aug", name);
        Directory.CreateDirectory(Path.Combine(home, "projects", "-app"));
        File.WriteAllText(Path.Combine(home, "projects", "-app", id + ".jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(home, ".profile"), profile + "\n");
        File.WriteAllText(Path.Combine(home, "claude.json"), """{"hasCompletedOnboarding":true,"sessionState":"kept"}""");
        File.WriteAllText(Path.Combine(home, "settings.json"), """{"changedByUser":true}""");
        return home;
    }

    [Fact]
    public async Task Resume_by_prefix_reuses_the_home_takes_the_profile_keeps_claude_json_and_rewrites_settings()
    {
        using var box = new LauncherSandbox(stub);
        box.WriteCredentials("alpha", LauncherSandbox.InHours(5));
        var home = MakeSession(box, "20_Thu_10-00_claude", "alpha", "1111aaaa-0000-4000-8000-000000000001");

        var run = await box.RunAsync("c", ["--resume", "1111"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(["--dangerously-skip-permissions", "--resume", "1111aaaa-0000-4000-8000-000000000001"], run.Ran.Args);
        Assert.Equal(home, run.Ran.LinkTarget(".claude"));
        Assert.Single(box.SessionHomes("claude"));
        Assert.Equal("alpha\n", File.ReadAllText(Path.Combine(home, ".profile")));
        Assert.Contains("at-settings", File.ReadAllText(Path.Combine(home, ".credentials.json")));
        Assert.Equal("kept", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(home, "claude.json")))!["sessionState"]!);
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(home, "settings.json")))!["changedByUser"]);
    }

    [Fact]
    public async Task Subagent_transcripts_deeper_down_do_not_match()
    {
        using var box = new LauncherSandbox(stub);
        var home = Path.Combine(box.History, "2026", "08_Aug", "20_Thu_10-00_claude");
        Directory.CreateDirectory(Path.Combine(home, "projects", "-app", "parent", "subagents"));
        File.WriteAllText(Path.Combine(home, "projects", "-app", "parent", "subagents", "2222.jsonl"), "{}\n");

        var run = await box.RunAsync("c", ["--resume", "2222", "--apikey"], env => env["ANTHROPIC_API_KEY"] = "k");

        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains("msg=\"no session matching resume id\" resume=\"2222\"", run.Result.Stderr);
        Assert.Null(run.Agent);
    }

    [Fact]
    public async Task Apikey_session_needs_apikey_to_resume()
    {
        using var box = new LauncherSandbox(stub);
        MakeSession(box, "20_Thu_10-00_claude", "apikey", "3333");

        var refused = await box.RunAsync("c", ["-r", "3333"]);
        Assert.Equal(1, refused.Result.ExitCode);
        Assert.Contains("--apikey", refused.Result.Stderr);
        Assert.Null(refused.Agent);

        var resumed = await box.RunAsync("c", ["-r", "3333", "--apikey"], env => env["ANTHROPIC_API_KEY"] = "k");
        Assert.True(resumed.Result.ExitCode == 0, resumed.ToString());
        Assert.Equal(["--dangerously-skip-permissions", "--resume", "3333"], resumed.Ran.Args);
        Assert.Equal("k", resumed.Ran.Env["ANTHROPIC_API_KEY"]);
    }

    [Fact]
    public async Task Unknown_session_fails_and_creates_nothing()
    {
        using var box = new LauncherSandbox(stub);

        var run = await box.RunAsync("c", ["--resume", "nope", "--apikey"], env => env["ANTHROPIC_API_KEY"] = "k");

        Assert.Equal(1, run.Result.ExitCode);
        Assert.Contains($"history={box.History}", run.Result.Stderr);
        Assert.Empty(box.SessionHomes("claude"));
    }
}
