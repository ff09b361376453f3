using AiSandbox.HostShim.Launch;
using AiSandbox.HostShim.Tokens;

namespace AiSandbox.HostShim.Podman;

/// <summary>
/// <see cref="IClaudeChains"/> through the image: the refresh and the history recovery run as
/// <c>podman run --rm … refresh-tokens</c> on the mounted settings and history directories, next to the
/// sandboxes, so they take the same <c>flock</c> the containers take. Where podman is remote the settings
/// directory reaches the VM through a shared folder whose locks the host cannot share. The login stays
/// on the host: it needs the user's terminal and browser.
/// </summary>
internal sealed class ContainerChains(PodmanCli podman, PodmanFacts facts, HostFacts host, Func<string, string?> env,
    IClaudeChains onHost, TextWriter stderr) : IClaudeChains
{
    /// <summary>refresh-tokens' settings, passed by name (the value comes from ai's environment, never argv).</summary>
    private static readonly string[] Passed =
    [
        "CLAUDE_OAUTH_TOKEN_URL", "CLAUDE_OAUTH_AUTHORIZE_URL", "HISTORY_DAYS", "REFRESH_BEFORE",
        "OAUTH_HTTP_TIMEOUT", "OAUTH_HTTP_RETRIES", "CHAIN_LOCK_TIMEOUT",
    ];

    public async Task<string?> RefreshAsync(HostLayout layout, string profile, CancellationToken cancellation)
    {
        var output = await RunAsync(layout, ["--once"], cancellation).ConfigureAwait(false);
        if (output.ExitCode != 0)
        {
            // --once covers every profile's chain: what matters here is this profile's copy, checked next.
            throw new InvalidOperationException($"refresh-tokens --once in a container exited {output.ExitCode}: {output.FirstErrorLine}");
        }

        return null;
    }

    public async Task<bool> RecoverFromHistoryAsync(HostLayout layout, string profile, CancellationToken cancellation)
    {
        var destination = "/settings/" + Path.GetFileName(layout.ClaudeCredentials(profile));
        var output = await RunAsync(layout, ["--copy-active", profile, destination], cancellation).ConfigureAwait(false);
        return output.ExitCode == 0;
    }

    public Task<bool> LoginAsync(HostLayout layout, string? profile, TextReader input, TextWriter output, CancellationToken cancellation) =>
        onHost.LoginAsync(layout, profile, input, output, cancellation);

    /// <summary>The <c>podman run</c> of one refresh-tokens command; refresh-tokens is PID 1, no systemd.</summary>
    public static IReadOnlyList<string> Arguments(HostLayout layout, PodmanFacts facts, HostFacts host, Func<string, string?> env,
        IReadOnlyList<string> command)
    {
        var args = new List<string> { "run", "--rm", "--pull=never" };
        args.AddRange(HostFit.Arguments(facts, host));

        args.AddRange(["--env", "CREDENTIALS_DIR=/settings", "--env", "SETTINGS_DIR=/settings", "--env", "HISTORY_DIR=/history"]);
        foreach (var name in Passed)
        {
            if (env(name) is { Length: > 0 })
            {
                args.AddRange(["--env", name]);
            }
        }

        args.AddRange(new BindMount(layout.SettingsDir, "/settings").ToArguments());
        args.AddRange(new BindMount(layout.HistoryDir, "/history").ToArguments());
        args.AddRange(PodmanRunPlan.ExtraArguments(env));
        args.Add(PodmanRunPlan.Image(env));
        args.Add("/usr/local/bin/refresh-tokens");
        args.AddRange(command);
        return args;
    }

    // A refresh may wait for the chain lock (CHAIN_LOCK_TIMEOUT, 60 s) and then for one token request with
    // its connect retries (under a minute), plus the container's start: the 30 s of a podman question would
    // give up on a healthy refresh. The container would still finish and write; ai would only misreport it.
    private static readonly TimeSpan RefreshBound = TimeSpan.FromMinutes(5);

    private async Task<ProcessOutput> RunAsync(HostLayout layout, IReadOnlyList<string> command, CancellationToken cancellation)
    {
        Common.IO.AtomicFile.EnsureDirectory(layout.HistoryDir);
        var output = await podman.CaptureAsync(Arguments(layout, facts, host, env, command), cancellation, RefreshBound).ConfigureAwait(false);
        if (output.ExitCode is 125 or 126 or 127)
        {
            throw new FatalException("podman could not run refresh-tokens in the image", ("exit", output.ExitCode),
                ("error", output.FirstErrorLine), ("variable", "AI_HOST_REFRESH"));
        }

        // refresh-tokens' own lines (logfmt, never a token) say which chain did what.
        await stderr.WriteAsync(output.Stderr).ConfigureAwait(false);
        await stderr.FlushAsync(cancellation).ConfigureAwait(false);
        return output;
    }
}
