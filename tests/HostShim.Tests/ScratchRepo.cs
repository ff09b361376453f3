using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>A scratch copy of the repository's layout under <c>&lt;dir&gt;/repo</c>: the build scripts run there against stubs.</summary>
internal sealed class ScratchRepo(TempDir dir)
{
    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;

    /// <summary>The path of <paramref name="relative"/> inside the scratch repository.</summary>
    public string Path(string relative) => System.IO.Path.Combine(dir.Path, "repo", relative);

    public void Write(string relative, string content, bool executable = false)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path(relative))!);
        File.WriteAllText(Path(relative), content);
        if (executable)
        {
            File.SetUnixFileMode(Path(relative), Executable);
        }
    }

    /// <summary>Copies the checkout's own <paramref name="relative"/> (a script under test), executable.</summary>
    public void CopyFromCheckout(string relative)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path(relative))!);
        File.Copy(System.IO.Path.Combine(RepoPaths.Root, relative), Path(relative));
        File.SetUnixFileMode(Path(relative), Executable);
    }
}
