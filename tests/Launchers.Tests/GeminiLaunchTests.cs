using AiSandbox.Launchers.Tests.Support;

namespace AiSandbox.Launchers.Tests;

public sealed class GeminiLaunchTests(StubAgent stub) : IClassFixture<StubAgent>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Copies_state_files_and_execs_gemini_yolo(bool withAgentsMd)
    {
        using var box = new LauncherSandbox(stub);
        var settings = Path.Combine(box.Settings, "gemini_alpha");
        Directory.CreateDirectory(settings);
        foreach (var file in new[] { "google_accounts.json", "installation_id", "oauth_creds.json", "settings.json", "state.json" })
        {
            File.WriteAllText(Path.Combine(settings, file), file);
        }

        if (withAgentsMd)
        {
            File.WriteAllText(Path.Combine(box.Settings, "AGENTS.md"), "rules");
        }

        var run = await box.RunAsync("g", ["alpha"]);

        Assert.True(run.Result.ExitCode == 0, run.ToString());
        Assert.Equal(run.Pid, run.Ran.Pid);
        Assert.Equal("gemini", run.Ran.Argv0);
        Assert.Equal(["--yolo"], run.Ran.Args);
        var session = Assert.Single(box.SessionHomes("gemini"));
        Assert.Equal(session, run.Ran.LinkTarget(".gemini"));
        Assert.Contains(".gemini/oauth_creds.json", run.Ran.Files);
        Assert.Equal("oauth_creds.json", File.ReadAllText(Path.Combine(session, "oauth_creds.json")));
        Assert.Equal(withAgentsMd, File.Exists(Path.Combine(session, "GEMINI.md")));
    }
}
