using AiSandbox.Common.Cli;

const string usage = """
    Usage: ai-supervisor [-h|--help]

    Starts PostgreSQL, the AMQP broker and Redis through systemd, probes them until they accept work,
    runs bundle install when /app/Gemfile exists, and publishes readiness on D-Bus
    (org.aisandbox.Supervisor1) and through sd_notify. Runs as ai-supervisor.service.

    Exit codes: 0 stopped cleanly, 1 failed to start, 2 bad command line.

    """;

var context = CommandContext.FromProcess(args);
try
{
    foreach (var arg in args)
    {
        if (arg is "-h" or "--help")
        {
            context.Stdout.Write(usage);
            return ExitCodes.Ok;
        }

        throw arg.StartsWith('-') ? UsageException.UnknownOption(arg) : UsageException.UnexpectedArgument(arg);
    }
}
catch (UsageException e)
{
    return e.Report(context.Stderr, usage);
}

context.Stderr.WriteLine("at=error msg=\"not implemented yet\"");
return ExitCodes.Failure;
