using System.Globalization;
using System.Text.Json;
using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Sandboxes;

/// <summary>
/// The running sandboxes: containers whose name carries <c>ai</c>'s prefix (<see cref="InstanceName.Prefix"/>),
/// read from one <c>podman ps --format json</c>.
/// </summary>
internal static class SandboxList
{
    public static readonly string NameFilter = $"name=^{InstanceName.Prefix}-";

    public static async Task<IReadOnlyList<SandboxEntry>> ReadAsync(PodmanCli podman, CancellationToken cancellation)
    {
        var output = await podman.CaptureAsync(["ps", "--filter", NameFilter, "--format", "json"], cancellation).ConfigureAwait(false);
        if (output.ExitCode != 0)
        {
            throw new FatalException("podman ps failed", ("exit", output.ExitCode), ("error", output.FirstErrorLine));
        }

        try
        {
            return Parse(output.Stdout);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new FatalException("podman ps printed something that is not a JSON list", ("path", podman.Executable));
        }
    }

    /// <summary>podman's JSON list, sorted by name; entries without a name are left out.</summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    /// <exception cref="InvalidOperationException">JSON, but not a list of objects.</exception>
    public static IReadOnlyList<SandboxEntry> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json.Trim() is { Length: > 0 } text ? text : "[]");
        var list = new List<SandboxEntry>();
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var names = Child(c, "Names");
            var name = names.ValueKind == JsonValueKind.Array && names.GetArrayLength() > 0 ? names[0].GetString() : null;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            var labels = Child(c, "Labels");
            DateTimeOffset? started = Child(c, "StartedAt") is { ValueKind: JsonValueKind.Number } s && s.TryGetInt64(out var secs) && secs > 0
                ? DateTimeOffset.FromUnixTimeSeconds(secs)
                : null;
            list.Add(new SandboxEntry(name, Label(labels, SandboxLabels.Project), Label(labels, SandboxLabels.Agent),
                Label(labels, SandboxLabels.Profile), started, Ports(Child(c, "Ports"))));
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>podman 4's port objects (<c>host_ip</c>, <c>host_port</c>, <c>container_port</c>, <c>range</c>, <c>protocol</c>).</summary>
    private static List<string> Ports(JsonElement ports)
    {
        var result = new List<string>();
        if (ports.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var p in ports.EnumerateArray())
        {
            var hostIp = Text(Child(p, "host_ip")) is { Length: > 0 } ip ? ip : "0.0.0.0";
            var hostPort = Number(Child(p, "host_port"));
            var containerPort = Number(Child(p, "container_port"));
            var range = Number(Child(p, "range"));
            var protocol = Text(Child(p, "protocol")) is { Length: > 0 } proto ? proto : "tcp";
            if (hostPort <= 0 || containerPort <= 0)
            {
                continue;
            }

            var count = Math.Max(1, range);
            for (var i = 0; i < count; i++)
            {
                var host = (hostPort + i).ToString(CultureInfo.InvariantCulture);
                var inside = (containerPort + i).ToString(CultureInfo.InvariantCulture);
                result.Add($"{(hostIp.Contains(':', StringComparison.Ordinal) ? "[" + hostIp + "]" : hostIp)}:{host}->{inside}/{protocol}");
            }
        }

        return result;
    }

    private static string Label(JsonElement labels, string key) =>
        labels.ValueKind == JsonValueKind.Object && labels.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static long Number(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n) ? n : 0;

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : "";

    private static JsonElement Child(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var child) ? child : default;
}
