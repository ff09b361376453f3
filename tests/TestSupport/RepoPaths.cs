namespace AiSandbox.TestSupport;

/// <summary>Where the repository and the published binaries are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;

    /// <summary>The NativeAOT binaries: AISANDBOX_BIN, else artifacts/bin (what ./publish writes).</summary>
    public static string BinDir =>
        Environment.GetEnvironmentVariable("AISANDBOX_BIN") is { Length: > 0 } dir ? dir : Path.Combine(Root, "artifacts", "bin");

    /// <summary>The path of a published command; fails loudly when it has not been published.</summary>
    public static string Binary(string command)
    {
        var path = Path.Combine(BinDir, command);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{command} is not published at {path}: run ./publish (or ./test, which does) or point AISANDBOX_BIN at the binaries");
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiSandbox.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find AiSandbox.sln above " + AppContext.BaseDirectory);
    }
}
