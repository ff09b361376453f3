using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Start;

/// <summary>Prints a line whenever an entry's state or detail changes: <c>+ redis ready 0.03s accepting work</c>.</summary>
internal sealed class ProgressPrinter(TextWriter output) : IProgress<ReadinessSnapshot>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string State, string Detail)> _seen = new(StringComparer.Ordinal);

    public void Report(ReadinessSnapshot value)
    {
        lock (_gate)
        {
            foreach (var (name, status) in value.Services)
            {
                if (_seen.TryGetValue(name, out var seen) && seen == (status.State, status.Detail))
                {
                    continue;
                }

                _seen[name] = (status.State, status.Detail);
                output.WriteLine($"+ {name,-10} {status.State,-8} {StartFormat.Seconds(status.Seconds),7}  {status.Detail}");
            }

            output.Flush();
        }
    }
}

internal static class StartFormat
{
    public static string Seconds(double seconds) =>
        seconds.ToString(seconds < 10 ? "0.00" : "0.0", System.Globalization.CultureInfo.InvariantCulture) + "s";
}
