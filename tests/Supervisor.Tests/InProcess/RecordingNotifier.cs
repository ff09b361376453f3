using Microsoft.Extensions.Hosting.Systemd;

namespace AiSandbox.Supervisor.Tests.InProcess;

/// <summary>sd_notify as a list: what the supervisor told systemd, in order.</summary>
internal sealed class RecordingNotifier : ISystemdNotifier
{
    private readonly List<string> _sent = [];

    public bool IsEnabled => true;

    public IReadOnlyList<string> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public void Notify(ServiceState state)
    {
        lock (_sent)
        {
            _sent.Add(state.ToString());
        }
    }
}
