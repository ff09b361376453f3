using System.Diagnostics;

namespace AiSandbox.Launchers.Tests.Support;

/// <summary>
/// Stub/codex-standin.py installed as <c>codex</c> in a directory of its own, with the absolute path of
/// the python3 the tests found, so the launcher's minimal PATH does not need to contain it.
/// </summary>
public sealed class CodexStandIn : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aisandbox-codex-standin-").FullName;

    public CodexStandIn()
    {
        var python = FindPython();
        BinDir = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(BinDir);
        var script = Path.Combine(BinDir, "codex");
        File.WriteAllText(script, "#!" + python + "\n" + File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Stub", "codex-standin.py")));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>A directory holding only <c>codex</c>, the stand-in.</summary>
    public string BinDir { get; }

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

    private static string FindPython()
    {
        var psi = new ProcessStartInfo("python3", ["-c", "import sys; print(sys.executable)"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start: the codex stand-in needs python3");
        var path = python.StandardOutput.ReadToEnd().Trim();
        python.WaitForExit();
        if (python.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException("python3 is needed for the codex stand-in and was not found: " + python.StandardError.ReadToEnd());
        }

        return path;
    }
}
