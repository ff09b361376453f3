using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.ServiceBootstrap.Readiness;
using Microsoft.Extensions.Options;

namespace AiSandbox.Launchers.Start;

/// <summary>
/// <c>s</c>: start whatever is not running (through ai-supervisor, or in this process when no supervisor
/// answers), show each service's progress and the bundle step, and say plainly what failed.
/// </summary>
internal static class StartCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(300);

    private static readonly CliOption Timeout =
        CliOption.WithValue("--timeout", "SECONDS", "a number of seconds", "give up after this long (default 300)");

    public static readonly CliCommand Command = new(
        "s [--timeout SECONDS] [-h|--help]",
        """
        Starts PostgreSQL, the AMQP broker (LavinMQ) and Redis and waits until each accepts work, then
        the bundle step (bundle check, bundle install when needed). Asks ai-supervisor on the system bus;
        without one it starts the units and probes them itself. Prints one line per change:
        service, state, elapsed seconds, detail.
        """,
        [],
        [Timeout],
        """
        Exit codes: 0 every service ready (bundle ready or skipped), 1 a service or the bundle step
        failed or the wait timed out (named on stderr), 2 bad command line.
        """);

    public static async Task<int> RunAsync(CommandContext context)
    {
        if (!Command.TryRead(context.Args, context.Stdout, context.Stderr,
            args => args.Value(Timeout) is { } seconds ? ParseSeconds(Timeout.Name, seconds) : DefaultTimeout, out var timeout, out var exit))
        {
            return exit;
        }

        if (CreateClient(context) is not { } client)
        {
            return ExitCodes.Failure;
        }

        var start = context.Time.GetTimestamp();
        var printer = new ProgressPrinter(context.Stdout);
        ReadinessSnapshot snapshot;
        try
        {
            snapshot = await client.StartAsync(timeout, printer, context.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Tmds.DBus.Protocol.DBusExceptionBase or IOException)
        {
            context.Stderr.WriteLine(Logfmt.Format("error", null, "cannot reach the services", [new LogField("error", e.Message.ReplaceLineEndings(" "))]));
            return ExitCodes.Failure;
        }

        var elapsed = StartFormat.Seconds(context.Time.GetElapsedTime(start).TotalSeconds);
        if (snapshot.IsReady)
        {
            context.Stdout.WriteLine($"+ all services ready in {elapsed}{(client.UsedSupervisor ? string.Empty : " (no supervisor: started in-process)")}");
            return ExitCodes.Ok;
        }

        if (snapshot.State == OverallStates.Degraded)
        {
            foreach (var (name, status) in snapshot.Failed)
            {
                context.Stderr.WriteLine(Logfmt.Format("error", null, "service failed", [new LogField("service", name), new LogField("reason", status.Detail)]));
            }
        }
        else
        {
            var waiting = snapshot.Services.Where(s => s.Value.State is EntryStates.Starting or EntryStates.Pending).Select(s => s.Key);
            context.Stderr.WriteLine(Logfmt.Format("error", null, "timed out waiting for services",
                [new LogField("seconds", timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)), new LogField("waiting", string.Join(",", waiting))]));
        }

        return ExitCodes.Failure;
    }

    /// <summary>The catalog from configuration and environment, or null after a fatal line that names what is invalid.</summary>
    internal static ReadinessClient? CreateClient(CommandContext context)
    {
        try
        {
            return ReadinessClient.FromEnvironment(context.Environment, context.Time);
        }
        catch (OptionsValidationException e)
        {
            context.Stderr.WriteLine(Logfmt.Format("fatal", null, "invalid configuration", [new LogField("error", string.Join("; ", e.Failures))]));
            return null;
        }
    }

    private static TimeSpan ParseSeconds(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 86400
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException("invalid value", ExitCodes.Usage, LogField.Quoted("option", option), LogField.Quoted("value", value));
}
