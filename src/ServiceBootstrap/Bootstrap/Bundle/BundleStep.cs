using System.Diagnostics;
using AiSandbox.Common.IO;
using AiSandbox.ServiceBootstrap.Catalog;
using Microsoft.Extensions.Logging;

namespace AiSandbox.ServiceBootstrap.Bundle;

/// <summary>The outcome of the bundle step: ready, skipped or failed, with the reason.</summary>
internal sealed record BundleOutcome(string State, string Detail);

/// <summary>
/// <c>bundle check</c>, and <c>bundle install</c> only when the check fails, under an exclusive flock on
/// the shared /bundle so concurrent sandboxes never install into it at the same time. Bundler runs with
/// the shell's bundle environment (<see cref="BundleEnvironment"/>), so it installs into /bundle and a
/// second sandbox of the same project installs nothing. Output goes to the log (the journal under
/// systemd). A failure is the bundle step's, never a service's.
/// </summary>
internal sealed partial class BundleStep(BundleOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Called every few seconds while bundler runs (the supervisor sends EXTEND_TIMEOUT_USEC).</summary>
    public Action<TimeSpan>? Heartbeat { get; init; }

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    public bool HasGemfile => File.Exists(options.Gemfile);

    public async Task<BundleOutcome> RunAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        if (!HasGemfile)
        {
            return new BundleOutcome(Readiness.EntryStates.Skipped, $"no {options.Gemfile}");
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(options.DeadlineSeconds), time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        using var heartbeat = new PeriodicTimer(HeartbeatInterval, time);
        var beats = BeatAsync(heartbeat, deadline.Token);
        try
        {
            progress($"waiting for {options.LockPath}");
            using var held = await FileLock.AcquireAsync(options.LockPath, TimeSpan.FromSeconds(options.DeadlineSeconds), time, deadline.Token)
                .ConfigureAwait(false);
            progress("bundle check");
            var check = await RunBundlerAsync("check", deadline.Token).ConfigureAwait(false);
            if (check == 0)
            {
                return new BundleOutcome(Readiness.EntryStates.Ready, "bundle check: dependencies satisfied");
            }

            progress("bundle install");
            var install = await RunBundlerAsync("install", deadline.Token).ConfigureAwait(false);
            return install == 0
                ? new BundleOutcome(Readiness.EntryStates.Ready, "bundle install done")
                : new BundleOutcome(Readiness.EntryStates.Failed, $"bundle install exited {install}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new BundleOutcome(Readiness.EntryStates.Failed, $"deadline {options.DeadlineSeconds:0.#}s exceeded");
        }
        catch (Exception e) when (e is IOException or TimeoutException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            return new BundleOutcome(Readiness.EntryStates.Failed, e.Message.ReplaceLineEndings(" "));
        }
        finally
        {
            heartbeat.Dispose();
            await beats.ConfigureAwait(false);
        }
    }

    private async Task BeatAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            Heartbeat?.Invoke(HeartbeatInterval * 3);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Heartbeat?.Invoke(HeartbeatInterval * 3);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<int> RunBundlerAsync(string verb, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.Gemfile))!;
        var psi = new ProcessStartInfo(options.Command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(verb);
        foreach (var (name, value) in BundleEnvironment.Variables)
        {
            psi.Environment[name] = value;
        }

        psi.Environment["BUNDLE_GEMFILE"] = Path.GetFullPath(options.Gemfile);
        using var process = Process.Start(psi) ?? throw new IOException($"cannot start {options.Command}");
        process.StandardInput.Close();
        var stdout = PumpAsync(process.StandardOutput, verb);
        var stderr = PumpAsync(process.StandardError, verb);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        LogExited(logger, verb, process.ExitCode);
        return process.ExitCode;
    }

    private async Task PumpAsync(StreamReader reader, string verb)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            LogOutput(logger, verb, line);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "bundler {verb} {line}")]
    private static partial void LogOutput(ILogger logger, string verb, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "bundler exited {verb} {code}")]
    private static partial void LogExited(ILogger logger, string verb, int code);
}
