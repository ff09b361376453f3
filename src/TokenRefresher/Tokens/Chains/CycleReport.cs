namespace AiSandbox.TokenRefresher.Chains;

/// <summary>One pass over every served copy: what the daemon's STATUS line and --once's exit code are made of.</summary>
/// <param name="Outcomes">One outcome per chain looked at.</param>
/// <param name="FinishedAt">When the cycle ended.</param>
/// <param name="DirectoryFailed">The credentials directory could not be read.</param>
/// <param name="Stopped">A stop ended the cycle before every chain was looked at.</param>
public sealed record CycleReport(IReadOnlyList<ChainOutcome> Outcomes, DateTimeOffset FinishedAt, bool DirectoryFailed = false, bool Stopped = false)
{
    public int Count(ChainState state) => Outcomes.Count(o => o.State == state);

    /// <summary>True when some chain could not be brought up to date, or the directory could not be read.</summary>
    public bool AnyFailure => DirectoryFailed || Outcomes.Any(o => o.IsFailure);

    /// <summary>
    /// When the soonest chain enters its refresh window; null when none will. Chains that failed are left
    /// out: they are retried at the regular interval, never in a tight loop.
    /// </summary>
    public DateTimeOffset? SoonestWindow(TimeSpan refreshBefore)
    {
        DateTimeOffset? soonest = null;
        foreach (var o in Outcomes)
        {
            if (o.State is ChainState.Valid or ChainState.Refreshed && (o.DueAt ?? (o.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) - refreshBefore : null)) is { } at)
            {
                soonest = soonest is null || at < soonest ? at : soonest;
            }
        }

        return soonest;
    }
}
