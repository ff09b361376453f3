using System.Text.Json;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Sandboxes;

/// <summary>
/// A sandbox's readiness as its own supervisor publishes it on the sandbox's system bus
/// (<c>org.aisandbox.Supervisor1</c>, properties <c>State</c> and <c>Services</c>), read with the image's
/// <c>busctl</c> through one bounded <c>podman exec</c>: <c>ready</c>, <c>starting</c>,
/// <c>degraded(&lt;failed entries&gt;)</c>, or <c>unknown</c> when the sandbox gave no usable answer.
/// </summary>
internal static class SandboxReadiness
{
    /// <summary>How long one sandbox may take to answer; a loaded machine answers in well under a second.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public const string Unknown = "unknown";

    public static IReadOnlyList<string> ExecArguments(string container) =>
    [
        "exec", container, "busctl", "--json=short", "call", "org.aisandbox.Supervisor1", "/org/aisandbox/Supervisor1",
        "org.freedesktop.DBus.Properties", "GetAll", "s", "org.aisandbox.Supervisor1",
    ];

    public static async Task<string> ReadAsync(PodmanCli podman, string container, CancellationToken cancellation)
    {
        ProcessOutput output;
        try
        {
            output = await podman.CaptureAsync(ExecArguments(container), cancellation, Timeout).ConfigureAwait(false);
        }
        catch (FatalException)
        {
            return Unknown; // no answer within the bound
        }

        return Describe(output.ExitCode, output.Stdout, output.Stderr);
    }

    /// <summary>The readiness word for one <c>busctl</c> answer.</summary>
    public static string Describe(int exitCode, string stdout, string stderr)
    {
        if (exitCode != 0)
        {
            // Booting: the bus is not up yet, or the supervisor has not taken its name. podman's own failures
            // (125 to 127: the container went, busctl missing) say nothing about readiness.
            var notYet = stderr.Contains("not provided by any .service files", StringComparison.Ordinal)
                || stderr.Contains("Failed to connect to bus", StringComparison.Ordinal)
                || stderr.Contains("ServiceUnknown", StringComparison.Ordinal)
                || stderr.Contains("NameHasNoOwner", StringComparison.Ordinal);
            return exitCode is < 125 && notYet ? "starting" : Unknown;
        }

        try
        {
            return FromGetAll(stdout);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return Unknown;
        }
    }

    /// <summary>
    /// busctl's JSON of <c>Properties.GetAll</c>: <c>{"type":"a{sv}","data":[{"State":{"type":"s","data":"ready"},
    /// "Services":{"type":"a{s(ssd)}","data":{"redis":["ready","accepting work",0.1],…}}}]}</c>.
    /// </summary>
    public static string FromGetAll(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var props = doc.RootElement.GetProperty("data")[0];
        var state = props.GetProperty("State").GetProperty("data").GetString() ?? Unknown;
        if (state != "degraded")
        {
            return state is "ready" or "starting" ? state : Unknown;
        }

        var failed = new List<string>();
        if (props.TryGetProperty("Services", out var services) && services.GetProperty("data") is { ValueKind: JsonValueKind.Object } entries)
        {
            foreach (var entry in entries.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Array && entry.Value.GetArrayLength() > 0 && entry.Value[0].GetString() == "failed")
                {
                    failed.Add(entry.Name);
                }
            }
        }

        failed.Sort(StringComparer.Ordinal);
        return $"degraded({string.Join(',', failed)})";
    }
}
