using System.Diagnostics;

namespace AiSandbox.Launchers.Tests.Support;

/// <summary>
/// The stub agent (Stub/stub-agent.c), compiled once per test run with gcc and put on PATH as claude,
/// codex, gemini and copilot. It records argv, environment, cwd, pid and what it sees under HOME.
/// </summary>
public sealed class StubAgent : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aisandbox-stub-").FullName;

    public StubAgent()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Stub", "stub-agent.c");
        var binary = Path.Combine(_dir, "stub-agent");
        var psi = new ProcessStartInfo("gcc", ["-O2", "-o", binary, source]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var gcc = Process.Start(psi) ?? throw new InvalidOperationException("gcc did not start: the stub agent needs gcc (scripts/install-deps)");
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException("gcc failed to build the stub agent: " + errors);
        }

        BinDir = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(BinDir);
        foreach (var name in new[] { "claude", "codex", "gemini", "copilot" })
        {
            File.CreateSymbolicLink(Path.Combine(BinDir, name), binary);
        }

        Binary = binary;
    }

    /// <summary>A directory holding claude, codex, gemini and copilot, all the stub.</summary>
    public string BinDir { get; }

    public string Binary { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What the stub wrote: one key=value per line.</summary>
public sealed class StubRecord
{
    private StubRecord(IReadOnlyList<KeyValuePair<string, string>> lines)
    {
        Lines = lines;
        Env = lines.Where(l => l.Key == "env").Select(l => l.Value.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Lines { get; }

    public int Pid => int.Parse(One("pid"), System.Globalization.CultureInfo.InvariantCulture);

    public long TimeNs => long.Parse(One("t"), System.Globalization.CultureInfo.InvariantCulture);

    public string Cwd => One("cwd");

    /// <summary>argv without argv[0].</summary>
    public IReadOnlyList<string> Args => All("arg").Skip(1).ToList();

    public string Argv0 => All("arg").First();

    public IReadOnlyDictionary<string, string> Env { get; }

    public IReadOnlyList<string> Files => All("file").ToList();

    public string? LinkTarget(string name) =>
        All("link").Where(l => l.StartsWith(name + ">", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..]).FirstOrDefault();

    public static StubRecord? Read(string path) =>
        File.Exists(path)
            ? new StubRecord(File.ReadAllLines(path).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList())
            : null;

    private string One(string key) => All(key).Single();

    private IEnumerable<string> All(string key) => Lines.Where(l => l.Key == key).Select(l => l.Value);
}
