namespace AiSandbox.ServiceBootstrap.Readiness;

/// <summary>One entry of <c>Services</c> (D-Bus <c>(ssd)</c>): state, a human reason, and seconds.</summary>
/// <param name="State">pending, starting, ready, failed or skipped (see <see cref="EntryStates"/>).</param>
/// <param name="Detail">Why: the unit's result, the probe's error, "deadline 30s exceeded", "accepting work".</param>
/// <param name="Seconds">Elapsed since the entry started, or the time it took to become ready.</param>
public sealed record ServiceStatus(string State, string Detail, double Seconds);

/// <summary>What the supervisor publishes: <c>State</c> and <c>Services</c>, as one consistent value.</summary>
public sealed record ReadinessSnapshot(string State, IReadOnlyDictionary<string, ServiceStatus> Services)
{
    public bool IsReady => State == OverallStates.Ready;

    /// <summary>No entry is pending or starting any more: every one has its final word.</summary>
    public bool AllSettled => Services.Values.All(s => s.State is not (EntryStates.Starting or EntryStates.Pending));

    /// <summary>The failed entries in catalog order, for messages such as "lavinmq failed: deadline 30s exceeded".</summary>
    public IEnumerable<KeyValuePair<string, ServiceStatus>> Failed =>
        Services.Where(s => s.Value.State == EntryStates.Failed);

    /// <summary>Ready when every entry is ready or skipped; degraded when one failed; starting otherwise.</summary>
    public static string Overall(IEnumerable<ServiceStatus> entries)
    {
        var anyFailed = false;
        var allDone = true;
        foreach (var e in entries)
        {
            anyFailed |= e.State == EntryStates.Failed;
            allDone &= e.State is EntryStates.Ready or EntryStates.Skipped;
        }

        return anyFailed ? OverallStates.Degraded : allDone ? OverallStates.Ready : OverallStates.Starting;
    }
}

public static class OverallStates
{
    public const string Starting = "starting";
    public const string Ready = "ready";
    public const string Degraded = "degraded";
}

/// <summary>The entry of the bundle step, listed after the services'.</summary>
public static class EntryNames
{
    public const string Bundle = "bundle";
}

public static class EntryStates
{
    public const string Pending = "pending";
    public const string Starting = "starting";
    public const string Ready = "ready";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}
