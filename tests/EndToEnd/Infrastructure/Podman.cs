using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// Runs the real podman with the repository's containers.conf (runc, the ulimits this kind of host
/// needs). A missing podman fails the test with what to install; nothing here ever skips.
/// </summary>
internal static class Podman
{
    public static string ConfigPath => Path.Combine(RepoPaths.Root, "scripts", "containers.conf");

    public static IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["CONTAINERS_CONF"] = ConfigPath,
    };

    public static string Executable
    {
        get
        {
            foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
            {
                var candidate = Path.Combine(dir, "podman");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException(
                "podman is not installed: the end-to-end tests need rootful podman with runc (scripts/install-deps installs them)");
        }
    }

    public static Task<ProcessResult> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null) =>
        Run.ProcessAsync(Executable, args, Environment, stdin, timeout: timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Runs podman and fails with its whole output when it exits non-zero.</summary>
    public static async Task<ProcessResult> CheckedAsync(IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var list = args.ToList();
        var result = await RunAsync(list, timeout, stdin);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"podman {string.Join(' ', list)} failed: {result}");
        }

        return result;
    }

    /// <summary>A name no other run on this machine uses, so parallel runs and leftovers never collide.</summary>
    public static string UniqueName(string purpose) => $"aisandbox-e2e-{purpose}-{Guid.NewGuid():N}"[..40];
}
