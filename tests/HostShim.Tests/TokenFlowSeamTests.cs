using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.HostShim.Tokens;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// The order of the host token flow (baseline behaviors 33–35) through the <see cref="IClaudeChains"/>
/// seam, with a scripted chain. The real chain API against the loopback OAuth server is tested in
/// <c>TokenFlowTests</c>.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class TokenFlowSeamTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private sealed class ScriptedChains(Sandbox s) : IClaudeChains
    {
        public List<string> Steps { get; } = [];

        public DateTimeOffset? RefreshTo { get; init; }

        public bool Recovers { get; init; }

        public bool LogsIn { get; init; }

        public Task<string?> RefreshAsync(HostLayout layout, string profile, CancellationToken cancellation)
        {
            Steps.Add("refresh " + profile);
            if (RefreshTo is { } to)
            {
                s.AddClaudeProfile(profile, to);
            }

            return Task.FromResult(Adopts ? "/history/2026/11_Nov/27_Fri_06-00_claude/.credentials.json" : null);
        }

        public bool Adopts { get; init; }

        public Task<bool> RecoverFromHistoryAsync(HostLayout layout, string profile, CancellationToken cancellation)
        {
            Steps.Add("recover " + profile);
            return Task.FromResult(Recovers);
        }

        public async Task<bool> LoginAsync(HostLayout layout, string? profile, TextReader input, TextWriter output, CancellationToken cancellation)
        {
            Steps.Add("login " + profile);
            await output.WriteAsync("Code: ");
            Steps.Add("code " + await input.ReadLineAsync(cancellation));
            return LogsIn;
        }
    }

    [Fact]
    public async Task A_valid_token_starts_podman_without_recovery_or_login()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        var chains = new ScriptedChains(_s);
        var result = await _s.InProcessAsync(["work"], chains);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["refresh work"], chains.Steps);
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task A_refreshed_token_starts_podman()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddMinutes(-5));
        var chains = new ScriptedChains(_s) { RefreshTo = DateTimeOffset.UtcNow.AddHours(8) };
        var result = await _s.InProcessAsync(["work"], chains);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["refresh work"], chains.Steps);
    }

    [Fact]
    public async Task An_expired_token_is_recovered_from_history()
    {
        // 34
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddMinutes(-5));
        var chains = new ScriptedChains(_s) { Recovers = true };
        var result = await _s.InProcessAsync(["work"], chains);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["refresh work", "recover work"], chains.Steps);
        Assert.Contains("at=info msg=\"recovered active claude credentials from history\" profile=work", result.StderrLines);
    }

    [Fact]
    public async Task A_history_copy_adopted_by_the_refresh_is_reported_as_recovered()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddMinutes(-5));
        var chains = new ScriptedChains(_s) { RefreshTo = DateTimeOffset.UtcNow.AddHours(3), Adopts = true };
        var result = await _s.InProcessAsync(["work"], chains);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["refresh work"], chains.Steps);
        Assert.Contains("at=info msg=\"recovered active claude credentials from history\" profile=work", result.StderrLines);
    }

    [Fact]
    public async Task Without_history_the_login_runs_with_the_terminal()
    {
        // 35
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddMinutes(-5));
        var chains = new ScriptedChains(_s) { LogsIn = true };
        var result = await _s.InProcessAsync(["work"], chains, stdin: "the-code\n");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["refresh work", "recover work", "login work", "code the-code"], chains.Steps);
        Assert.Contains("at=info msg=\"claude token expired, logging in\" profile=work", result.StderrLines);
        Assert.Contains("Code: ", result.Stdout, StringComparison.Ordinal);
        Assert.Single(_s.Calls, c => c.Command == "run");
    }

    [Fact]
    public async Task A_failed_login_starts_no_podman()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddMinutes(-5));
        var chains = new ScriptedChains(_s) { LogsIn = false };
        var result = await _s.InProcessAsync(["work"], chains, stdin: "\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("at=fatal msg=\"claude login failed\" profile=work run=\"ai login work\"", result.StderrLines);
        // podman was only asked (info: rootless, remote, where the refresh runs), nothing was run.
        _s.AssertOnlyAsked();
    }

    [Fact]
    public async Task Codex_and_shell_launches_do_not_touch_claude_chains()
    {
        var chains = new ScriptedChains(_s);
        Assert.Equal(0, (await _s.InProcessAsync(["cx"], chains)).ExitCode);
        Assert.Equal(0, (await _s.InProcessAsync([], chains)).ExitCode);
        Assert.Equal(0, (await _s.InProcessAsync(["--resume", "abc"], chains)).ExitCode);
        Assert.Empty(chains.Steps);
    }

    [Fact]
    public async Task Dry_run_does_not_refresh()
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddMinutes(-5));
        var chains = new ScriptedChains(_s);
        Assert.Equal(0, (await _s.InProcessAsync(["work", "--dry-run"], chains)).ExitCode);
        Assert.Empty(chains.Steps);
    }
}
