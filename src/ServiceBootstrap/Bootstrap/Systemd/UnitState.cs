namespace AiSandbox.ServiceBootstrap.Systemd;

/// <summary>What systemd says about a unit: ActiveState, SubState and the service's Result.</summary>
internal sealed record UnitState(string ActiveState, string SubState, string Result)
{
    public bool IsActive => ActiveState is "active" or "reloading";

    /// <summary>Stopped or failed: the process is gone.</summary>
    public bool IsDown => ActiveState is "failed" or "inactive";

    public override string ToString() => $"{ActiveState}/{SubState} result={Result}";
}
