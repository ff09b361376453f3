using AiSandbox.Common.IO;
using AiSandbox.ServiceBootstrap.Bundle;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiSandbox.ServiceBootstrap.Tests.Bundle;

/// <summary>The bundle step with a stand-in bundler script (no Ruby on this machine) that records its calls.</summary>
public sealed class BundleStepTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private BundleStep Step(string script)
    {
        File.WriteAllText(_dir["bundle"], "#!/bin/sh\necho \"$1 $BUNDLE_GEMFILE\" >> \"" + _dir["calls"] + "\"\n" + script + "\n");
        File.SetUnixFileMode(_dir["bundle"], (UnixFileMode)0x1ED);
        return new BundleStep(new BundleOptions { Gemfile = _dir["app/Gemfile"], LockPath = _dir["shared/.install.lock"], Command = _dir["bundle"] },
            TimeProvider.System, NullLogger.Instance);
    }

    private string[] Calls => File.Exists(_dir["calls"]) ? File.ReadAllLines(_dir["calls"]) : [];

    private void WriteGemfile()
    {
        Directory.CreateDirectory(_dir["app"]);
        File.WriteAllText(_dir["app/Gemfile"], "source 'https://rubygems.org'\n");
    }

    [Fact]
    public async Task Without_a_Gemfile_the_step_is_skipped_and_bundler_never_runs()
    {
        var outcome = await Step("exit 0").RunAsync(_ => { }, CancellationToken.None);
        Assert.Equal(("skipped", $"no {_dir["app/Gemfile"]}"), (outcome.State, outcome.Detail));
        Assert.Empty(Calls);
    }

    [Fact]
    public async Task While_bundler_runs_the_heartbeat_keeps_extending_the_start_timeout()
    {
        WriteGemfile();
        var release = _dir["release"];
        Step($$"""[ "$1" = check ] && exit 1; while [ ! -e "{{release}}" ]; do sleep 0.05; done; exit 0""");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var beats = new List<TimeSpan>();
        var step = new BundleStep(new BundleOptions { Gemfile = _dir["app/Gemfile"], LockPath = _dir["shared/.install.lock"], Command = _dir["bundle"] },
            time, NullLogger.Instance)
        {
            Heartbeat = extend => { lock (beats) { beats.Add(extend); } },
        };

        var run = step.RunAsync(_ => { }, CancellationToken.None);
        await Until(() => Calls.Any(c => c.StartsWith("install", StringComparison.Ordinal)));
        for (var i = 0; i < 2; i++)
        {
            time.Advance(BundleStep.HeartbeatInterval);
            var expected = i + 2;
            await Until(() => { lock (beats) { return beats.Count >= expected; } });
        }

        File.WriteAllText(release, string.Empty);
        Assert.Equal("ready", (await run).State);
        lock (beats)
        {
            // One beat at the start, one per interval; each asks systemd for three intervals more.
            Assert.True(beats.Count >= 3, $"{beats.Count} heartbeats");
            Assert.All(beats, b => Assert.Equal(BundleStep.HeartbeatInterval * 3, b));
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 30 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task When_bundle_check_passes_install_is_not_run()
    {
        WriteGemfile();
        var outcome = await Step("exit 0").RunAsync(_ => { }, CancellationToken.None);
        Assert.Equal("ready", outcome.State);
        Assert.Equal([$"check {_dir["app/Gemfile"]}"], Calls);
    }

    [Fact]
    public async Task When_bundle_check_fails_install_runs_under_the_lock()
    {
        WriteGemfile();
        var steps = new List<string>();
        var outcome = await Step("""[ "$1" = check ] && exit 1; exit 0""").RunAsync(steps.Add, CancellationToken.None);
        Assert.Equal(("ready", "bundle install done"), (outcome.State, outcome.Detail));
        Assert.Equal(["check", "install"], Calls.Select(c => c.Split(' ')[0]));
        Assert.Equal(["waiting for " + _dir["shared/.install.lock"], "bundle check", "bundle install"], steps);
        Assert.True(File.Exists(_dir["shared/.install.lock"]));
    }

    [Fact]
    public async Task A_failing_install_fails_the_step_with_its_exit_code()
    {
        WriteGemfile();
        var outcome = await Step("exit 5").RunAsync(_ => { }, CancellationToken.None);
        Assert.Equal(("failed", "bundle install exited 5"), (outcome.State, outcome.Detail));
    }

    [Fact]
    public async Task It_waits_for_another_holder_of_the_lock()
    {
        WriteGemfile();
        var step = Step("exit 0");
        var held = await FileLock.AcquireAsync(_dir["shared/.install.lock"], TimeSpan.FromSeconds(1), TimeProvider.System);
        var running = step.RunAsync(_ => { }, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(running.IsCompleted);
        Assert.Empty(Calls);
        held.Dispose();
        Assert.Equal("ready", (await running.WaitAsync(TimeSpan.FromSeconds(10))).State);
    }
}
