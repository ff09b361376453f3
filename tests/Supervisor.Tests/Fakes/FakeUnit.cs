namespace AiSandbox.Supervisor.Tests.Fakes;

/// <summary>
/// A unit of the test systemd: ActiveState/SubState/Result as systemd reports them, and what "start"
/// and "stop" really do (launch a server process, open a listener, …).
/// </summary>
public abstract class FakeUnit(string name)
{
    private readonly Lock _gate = new();

    public string Name { get; } = name;

    public string ActiveState { get; private set; } = "inactive";

    public string SubState { get; private set; } = "dead";

    public string Result { get; private set; } = "success";

    /// <summary>How many times the server was really launched.</summary>
    public int Launches { get; private set; }

    /// <summary>Raised after a state change; the manager emits PropertiesChanged.</summary>
    internal event Action<FakeUnit>? Changed;

    public bool IsActive => ActiveState == "active";

    /// <summary>Runs a start job; returns the JobRemoved result (done, failed, …).</summary>
    internal async Task<string> StartJobAsync()
    {
        if (IsActive)
        {
            return "done";
        }

        SetState("activating", "start", "success");
        Launches++;
        bool started;
        try
        {
            started = await LaunchAsync();
        }
        catch (Exception)
        {
            started = false;
        }

        if (!started)
        {
            SetState("failed", "failed", "exit-code");
            return "failed";
        }

        SetState("active", "running", "success");
        return "done";
    }

    internal async Task<string> StopJobAsync()
    {
        if (!IsActive)
        {
            return "done";
        }

        SetState("deactivating", "stop-sigterm", Result);
        await StopAsync();
        SetState("inactive", "dead", "success");
        return "done";
    }

    /// <summary>Test teardown: stop whatever runs, whatever systemd would say.</summary>
    internal Task ShutdownAsync() => StopAsync();

    /// <summary>Launch and wait until the server would have sent READY=1; false when it failed.</summary>
    protected abstract Task<bool> LaunchAsync();

    protected abstract Task StopAsync();

    /// <summary>The server died by itself: what systemd reports for a crashed main process.</summary>
    protected void Died(string result)
    {
        if (ActiveState is "active" or "activating")
        {
            SetState("failed", "failed", result);
        }
    }

    private void SetState(string active, string sub, string result)
    {
        lock (_gate)
        {
            ActiveState = active;
            SubState = sub;
            Result = result;
        }

        Changed?.Invoke(this);
    }
}
