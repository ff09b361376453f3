namespace AiSandbox.TestSupport;

/// <summary>Where the repository and the published binaries are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;

    /// <summary>The NativeAOT binaries: AISANDBOX_BIN, else artifacts/bin (what ./publish writes).</summary>
    public static string BinDir =>
        Environment.GetEnvironmentVariable("AISANDBOX_BIN") is { Length: > 0 } dir ? dir : Path.Combine(Root, "artifacts", "bin");

    /// <summary>The linux-arm64 binaries: AISANDBOX_BIN_ARM64, else artifacts/bin-arm64 (./publish --rid linux-arm64).</summary>
    public static string Arm64BinDir =>
        Environment.GetEnvironmentVariable("AISANDBOX_BIN_ARM64") is { Length: > 0 } dir ? dir : Path.Combine(Root, "artifacts", "bin-arm64");

    /// <summary>Every command users can type, and the binary each one is.</summary>
    public static readonly IReadOnlyDictionary<string, string> Commands = new Dictionary<string, string>
    {
        ["refresh-tokens"] = "refresh-tokens",
        ["codex-login"] = "refresh-tokens",
        ["ai-supervisor"] = "ai-supervisor",
        ["ai-supervisor-generator"] = "ai-supervisor",
        ["ai"] = "ai",
        ["ai-launcher"] = "ai-launcher",
        ["c"] = "ai-launcher",
        ["cx"] = "ai-launcher",
        ["g"] = "ai-launcher",
        ["co"] = "ai-launcher",
        ["x"] = "ai-launcher",
        ["ai-start"] = "ai-supervisor",
        ["s"] = "ai-supervisor",
        ["claude-login"] = "ai-launcher",
        ["l"] = "ai-launcher",
        ["claude-hook"] = "ai-launcher",
    };

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
