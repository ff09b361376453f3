namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>One attempt to prove a service accepts work; throws with a human reason when it does not. Public as the
/// supervisor's one extension point: its host (and that host's tests) may give each catalog entry its own probe.</summary>
public interface IReadinessProbe
{
    Task ProbeAsync(CancellationToken cancellationToken);
}
