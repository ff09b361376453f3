namespace AiSandbox.HostShim.Launch;

/// <summary>
/// Where things are on the host: the data root <c>AI_DIR</c> (default <c>~/ai</c>), the project directory,
/// and the repository whose <c>claude/</c> templates are mounted read-only.
/// </summary>
internal sealed record HostLayout(string AiDir, string Cwd, string Home, string RepoDir)
{
    public string SettingsDir => Path.Combine(AiDir, "settings");

    public string HistoryDir => Path.Combine(AiDir, "history");

    public string ClaudeCredentials(string profile) => Path.Combine(SettingsDir, $".credentials.{profile}.json");

    public string CodexAuth(string profile) => Path.Combine(SettingsDir, $"codex_{profile}", "auth.json");

    /// <summary>The project's directory name, as the container sees it in <c>HOST_DIR</c>.</summary>
    public string ProjectDirName => Path.GetFileName(Cwd.TrimEnd('/')) is { Length: > 0 } name ? name : "/";

    /// <summary>The cwd with <c>$HOME</c> shown as <c>~</c>, for the <c>cwd</c> label.</summary>
    public string CwdLabel
    {
        get
        {
            var home = Home.TrimEnd('/');
            if (home.Length == 0)
            {
                return Cwd;
            }

            if (Cwd == home)
            {
                return "~";
            }

            return Cwd.StartsWith(home + "/", StringComparison.Ordinal) ? "~" + Cwd[home.Length..] : Cwd;
        }
    }

    public static HostLayout From(Func<string, string?> env, string cwd, string? repoDir = null)
    {
        var home = env("HOME") is { Length: > 0 } h ? h : "/root";
        return new HostLayout(AiDirFrom(env, cwd), cwd, home, repoDir ?? FindRepo(env));
    }

    /// <summary><c>AI_DIR</c>, default <c>$HOME/ai</c>.</summary>
    public static string AiDirFrom(Func<string, string?> env, string cwd) =>
        env("AI_DIR") is { Length: > 0 } a ? Path.GetFullPath(a, cwd) : Path.Combine(env("HOME") is { Length: > 0 } h ? h : "/root", "ai");

    // bin/ai exports AI_REPO; the published binary alone finds the repo two levels above artifacts/bin.
    private static string FindRepo(Func<string, string?> env)
    {
        if (env("AI_REPO") is { Length: > 0 } repo)
        {
            return Path.GetFullPath(repo);
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var d = dir; d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "AiSandbox.sln")))
            {
                return d.FullName;
            }
        }

        return Path.GetFullPath(Path.Combine(dir.FullName, "..", ".."));
    }
}
