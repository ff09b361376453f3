namespace AiSandbox.Launchers.Tests.Support;

/// <summary>
/// The real claude, codex and gemini CLIs that ./test installs with npm at the versions in versions/
/// (scripts/install-agents). Missing ones fail the test, naming the script to run.
/// </summary>
public static class RealAgents
{
    public static string Dir =>
        Environment.GetEnvironmentVariable("AISANDBOX_TEST_AGENTS") is { Length: > 0 } dir ? dir : "/opt/aisandbox-test-agents";

    public static string Claude => Binary("claude-code", "claude");

    public static string Codex => Binary("codex", "codex");

    public static string Gemini => Binary("gemini-cli", "gemini");

    public static string Version(string pin) => File.ReadAllText(Path.Combine(TestSupport.RepoPaths.Root, "versions", pin)).Trim();

    private static string Binary(string pin, string name)
    {
        var path = Path.Combine(Dir, $"{pin}-{Version(pin)}", "node_modules", ".bin", name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{name} {Version(pin)} is not installed at {path}: run scripts/install-agents (./test does) or set AISANDBOX_TEST_AGENTS");
        }

        return path;
    }
}
