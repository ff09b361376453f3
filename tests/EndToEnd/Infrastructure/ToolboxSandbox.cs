namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// One booted sandbox (systemd as PID 1, no network, no services) shared by every toolbox test, so the
/// image boots once for the whole group. Its image is the collection's: AISANDBOX_TEST_IMAGE, or the one
/// ./build_image reuses for these inputs (a class fixture cannot take the collection's fixture in xunit 2).
/// </summary>
public sealed class ToolboxSandbox : IAsyncLifetime
{
    private Sandbox? _box;

    internal Sandbox Box => _box ?? throw new InvalidOperationException("the toolbox sandbox did not start");

    public async Task InitializeAsync()
    {
        var image = new TestImage();
        await image.InitializeAsync();
        _box = await Sandbox.StartAsync(image, new SandboxOptions
        {
            Network = "none",
            Environment = new Dictionary<string, string> { ["AI_SERVICES"] = "none" },
        }, "tools");
        await _box.WaitForBootAsync();
    }

    public async Task DisposeAsync()
    {
        if (_box is not null)
        {
            await _box.DisposeAsync();
        }
    }
}
