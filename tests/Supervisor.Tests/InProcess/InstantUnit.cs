using AiSandbox.Supervisor.Tests.Fakes;

namespace AiSandbox.Supervisor.Tests.InProcess;

/// <summary>A unit of the test systemd that starts and stops at once: the server behind it is the test's probe.</summary>
public sealed class InstantUnit(string name) : FakeUnit(name)
{
    protected override Task<bool> LaunchAsync() => Task.FromResult(true);

    protected override Task StopAsync() => Task.CompletedTask;
}
