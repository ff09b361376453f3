namespace AiSandbox.ServiceBootstrap.Probes;

/// <summary>One attempt to prove a service accepts work; throws with a human reason when it does not.</summary>
internal interface IReadinessProbe
{
    Task ProbeAsync(CancellationToken cancellationToken);
}
