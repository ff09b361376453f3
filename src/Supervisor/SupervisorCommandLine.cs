using AiSandbox.Common.Cli;

namespace AiSandbox.Supervisor;

/// <summary><c>ai-supervisor</c>'s own command line: nothing but --help, since systemd starts it and configuration sets it up.</summary>
internal static class SupervisorCommandLine
{
    public static readonly CliCommand Command = new(
        "ai-supervisor [-h|--help]",
        """
        Starts PostgreSQL, the AMQP broker and Redis through systemd, probes them until they accept work,
        runs bundle install when /app/Gemfile exists, and publishes readiness on D-Bus
        (org.aisandbox.Supervisor1 on the system bus) and through sd_notify. Runs as ai-supervisor.service.
        """,
        [],
        [],
        """
        Configuration: /etc/ai-supervisor/appsettings.json (or AI_SUPERVISOR_CONFIG), Supervisor__* variables,
        AI_SERVICES=postgresql,lavinmq,redis|none, DBUS_SYSTEM_BUS_ADDRESS. See docs/configuration.md.

        Run as ai-supervisor-generator (a link), it is the systemd generator that starts the selected services
        at the beginning of the boot; see ai-supervisor-generator --help.

        Exit codes: 0 stopped cleanly, 1 failed to start (bad configuration), 2 bad command line.
        """);

    /// <summary>Null when the service should start; else the exit code after the usage or the error.</summary>
    public static int? Read(CommandContext context) =>
        Command.ParseOrAnswer(context.Args, context.Stdout, context.Stderr, out var exit) is null ? exit : null;
}
