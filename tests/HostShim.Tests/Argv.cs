namespace AiSandbox.HostShim.Tests;

/// <summary>Assertions on a podman argv: option/value pairs and their absence.</summary>
internal static class Argv
{
    /// <summary>The dry run's output: line 1 is "podman", the rest its arguments.</summary>
    public static IReadOnlyList<string> FromDryRun(string stdout)
    {
        var lines = stdout.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        Assert.Equal("podman", lines[0]);
        return lines.Skip(1).ToList();
    }

    public static void HasPair(IReadOnlyList<string> argv, string option, string value)
    {
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            if (argv[i] == option && argv[i + 1] == value)
            {
                return;
            }
        }

        Assert.Fail($"expected `{option} {value}` in:\n{string.Join('\n', argv)}");
    }

    public static void HasNoEnv(IReadOnlyList<string> argv, string key)
    {
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            Assert.False(argv[i] == "--env" && argv[i + 1].StartsWith(key + "=", StringComparison.Ordinal),
                $"unexpected --env {argv[i + 1]}");
        }
    }

    public static IReadOnlyList<string> Values(IReadOnlyList<string> argv, string option) =>
        argv.Select((a, i) => (a, i)).Where(p => p.a == option && p.i + 1 < argv.Count).Select(p => argv[p.i + 1]).ToList();
}
