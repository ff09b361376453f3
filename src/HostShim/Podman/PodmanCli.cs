using System.Diagnostics;
using System.Text.Json;

namespace AiSandbox.HostShim.Podman;

/// <summary>The podman executable found on PATH, and the few questions <c>ai</c> asks it.</summary>
/// <param name="time">The clock a question's <see cref="QueryTimeout"/> runs on; null: the system clock.</param>
internal sealed class PodmanCli(string executable, IReadOnlyDictionary<string, string?>? childEnvironment = null, TimeProvider? time = null)
{
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(30);

    public string Executable { get; } = executable;

    /// <summary>Overrides of the inherited environment for every podman this instance starts.</summary>
    public IReadOnlyDictionary<string, string?> ChildEnvironment { get; } = childEnvironment ?? new Dictionary<string, string?>();

    /// <summary>The first executable <c>podman</c> on PATH, or null.</summary>
    public static PodmanCli? Find(Func<string, string?> env, IReadOnlyDictionary<string, string?>? childEnvironment = null)
    {
        foreach (var dir in (env("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "podman");
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return new PodmanCli(candidate, childEnvironment);
            }
        }

        return null;
    }

    public static FatalException NotFound() =>
        new("podman not found on PATH: install podman (Debian/Ubuntu: apt-get install podman; Fedora: dnf install podman; macOS: brew install podman)");

    /// <summary>Runs podman with captured output; stdin is empty. A question gets <see cref="QueryTimeout"/>; longer work names its own bound.</summary>
    public Task<ProcessOutput> CaptureAsync(IEnumerable<string> args, CancellationToken cancellation, TimeSpan? timeout = null) =>
        ProcessCapture.RunAsync(Executable, args, ChildEnvironment, timeout ?? QueryTimeout, time ?? TimeProvider.System, cancellation);

    /// <summary><c>podman info</c>: rootless, remote, version. Unreadable answers count as rootful and local.</summary>
    public async Task<PodmanFacts> InfoAsync(CancellationToken cancellation)
    {
        var output = await CaptureAsync(["info", "--format", "json"], cancellation).ConfigureAwait(false);
        if (output.ExitCode != 0)
        {
            throw new FatalException("podman info failed", ("exit", output.ExitCode), ("error", output.FirstErrorLine));
        }

        try
        {
            using var doc = JsonDocument.Parse(output.Stdout);
            var root = doc.RootElement;
            var host = Child(root, "host");
            var security = Child(host, "security");
            var rootless = Child(security, "rootless") is { ValueKind: JsonValueKind.True };
            var remote = Child(host, "serviceIsRemote") is { ValueKind: JsonValueKind.True };
            var version = Text(Child(Child(root, "version"), "Version"));
            return new PodmanFacts(rootless, remote, version, Text(Child(Child(host, "ociRuntime"), "name")), Text(Child(host, "cgroupVersion")));
        }
        catch (JsonException)
        {
            throw new FatalException("podman info printed something that is not JSON", ("path", Executable));
        }
    }

    /// <summary>Container names, <paramref name="all"/> including stopped ones.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(bool all, CancellationToken cancellation, params string[] filters)
    {
        var args = new List<string> { "ps" };
        if (all)
        {
            args.Add("--all");
        }

        foreach (var filter in filters)
        {
            args.AddRange(["--filter", filter]);
        }

        args.AddRange(["--format", "{{.Names}}"]);
        var output = await CaptureAsync(args, cancellation).ConfigureAwait(false);
        if (output.ExitCode != 0)
        {
            throw new FatalException("podman ps failed", ("exit", output.ExitCode), ("error", output.FirstErrorLine));
        }

        return output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// The most recently created running container, from <c>podman ps --format json</c> (the remote client
    /// of a podman machine has no <c>--latest</c>); null when none runs.
    /// </summary>
    public async Task<string?> LatestRunningAsync(CancellationToken cancellation)
    {
        var output = await CaptureAsync(["ps", "--format", "json"], cancellation).ConfigureAwait(false);
        if (output.ExitCode != 0)
        {
            throw new FatalException("podman ps failed", ("exit", output.ExitCode), ("error", output.FirstErrorLine));
        }

        try
        {
            using var doc = JsonDocument.Parse(output.Stdout.Trim() is { Length: > 0 } json ? json : "[]");
            string? latest = null;
            var newest = long.MinValue;
            foreach (var container in doc.RootElement.EnumerateArray())
            {
                var created = Child(container, "Created") is { ValueKind: JsonValueKind.Number } c && c.TryGetInt64(out var t) ? t : 0;
                var names = Child(container, "Names");
                var name = names.ValueKind == JsonValueKind.Array && names.GetArrayLength() > 0 ? names[0].GetString() : null;
                if (name is not null && created >= newest)
                {
                    (latest, newest) = (name, created);
                }
            }

            return latest;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FatalException("podman ps printed something that is not a JSON list", ("path", Executable));
        }
    }

    /// <summary>Runs podman on the user's terminal; see <see cref="AttachedRun"/>.</summary>
    public Task<int> RunAttachedAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? extraEnvironment = null,
        Func<AttachedChild, int, Task>? stop = null, bool relay = false)
    {
        var env = new Dictionary<string, string?>(ChildEnvironment);
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        return AttachedRun.RunAsync(Executable, args, env, stop: stop, relay: relay);
    }

    private static string Text(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString() ?? "" : "";

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) ? child : default;
}
