using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.ServiceBootstrap.Readiness;

namespace AiSandbox.Launchers.Start;

/// <summary>
/// <c>ai-start --wait-snapshots SECONDS</c>: what c and cx run when no supervisor is on the bus. It waits
/// like they would (probing, starting nothing) with the same ServiceBootstrap code as <c>s</c>, and
/// writes every snapshot as a <see cref="SnapshotLine"/> on stdout, the final one last. Keeping the
/// probe clients in this binary keeps them out of the launchers' start-up.
/// </summary>
internal static class SnapshotStream
{
    public const string Flag = "--wait-snapshots";

    public static async Task<int> RunAsync(CommandContext context)
    {
        if (context.Args.Count != 2 || !double.TryParse(context.Args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
        {
            return new UsageException("invalid value", ExitCodes.Usage, LogField.Quoted("option", Flag),
                LogField.Quoted("value", context.Args.Count > 1 ? context.Args[1] : string.Empty)).Report(context.Stderr, StartCommand.Command.Usage);
        }

        if (StartCommand.CreateClient(context) is not { } client)
        {
            return ExitCodes.Failure;
        }

        // The final snapshot is the client's last report, so it is the last line.
        await client.WaitAsync(TimeSpan.FromSeconds(seconds), new LineWriter(context.Stdout), context.Cancellation).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private sealed class LineWriter(TextWriter output) : IProgress<ReadinessSnapshot>
    {
        private readonly Lock _gate = new();

        public void Report(ReadinessSnapshot value)
        {
            lock (_gate)
            {
                output.WriteLine(SnapshotLine.Format(value));
                output.Flush();
            }
        }
    }
}
