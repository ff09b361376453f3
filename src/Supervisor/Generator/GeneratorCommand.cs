using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.ServiceBootstrap.Catalog;
using Microsoft.Extensions.Options;

namespace AiSandbox.Supervisor.Generator;

/// <summary>
/// ai-supervisor run as <c>ai-supervisor-generator</c> (the name of its link in
/// /etc/systemd/system-generators): systemd calls it with its output directories before it loads units.
/// </summary>
internal static class GeneratorCommand
{
    public const string Name = "ai-supervisor-generator";

    private static readonly CliCommand Command = new(
        Name + " NORMAL_DIR [EARLY_DIR LATE_DIR]",
        """
        The systemd generator of ai-supervisor (a link to it in /etc/systemd/system-generators). At every
        boot it reads the service catalog (/etc/ai-supervisor/appsettings.json, AI_SERVICES from the
        container's environment) and makes systemd start the units of the selected services whose
        StartWithBoot is true (PostgreSQL and Redis by default) at the beginning of the boot: a
        multi-user.target.wants link and a DefaultDependencies=no drop-in in NORMAL_DIR. Without it they
        would wait for ai-supervisor, which starts after basic.target, to ask for them.
        """,
        [
            new CliPositional("NORMAL_DIR", "where the link and the drop-ins are written"),
            new CliPositional("EARLY_DIR", "given by systemd, left alone"),
            new CliPositional("LATE_DIR", "given by systemd, left alone"),
        ],
        [],
        """
        Exit codes: 0 written (or nothing selected), 1 invalid catalog (nothing written; ai-supervisor
        reports the same error) or NORMAL_DIR not writable, 2 bad command line.
        """);

    public static int Run(CommandContext context, IReadOnlyDictionary<string, string> manager, IReadOnlyList<string> unitDirs)
    {
        if (!Command.TryRead(context.Args, context.Stdout, context.Stderr, args => Checked(args.Positionals), out var dirs, out var exit))
        {
            return exit;
        }

        SupervisorOptions options;
        try
        {
            // The supervisor's own sources: the JSON file, then AI_SERVICES as PassEnvironment gives it.
            options = SupervisorConfiguration.Load(name => name switch
            {
                "AI_SERVICES" => manager.GetValueOrDefault(name),
                _ => context.Env(name),
            });
        }
        catch (OptionsValidationException e)
        {
            context.Stderr.WriteLine(Logfmt.Format("fatal", null, "invalid configuration, no service moved to early boot",
                [new LogField("error", string.Join("; ", e.Failures))]));
            return ExitCodes.Failure;
        }

        IReadOnlyList<string> missing;
        try
        {
            (_, missing) = new BootGenerator(new ServiceCatalog(options).Services, unitDirs).Write(dirs[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine(Logfmt.Format("fatal", null, "cannot write the early-start units",
                [LogField.Quoted("dir", dirs[0]), new LogField("error", e.Message)]));
            return ExitCodes.Failure;
        }

        foreach (var unit in missing)
        {
            context.Stderr.WriteLine(Logfmt.Format("warn", null, "unit not installed, left to ai-supervisor", [new LogField("unit", unit)]));
        }

        return ExitCodes.Ok;
    }

    /// <summary>systemd passes one absolute directory or three, never two: the table alone would take two, or a relative one.</summary>
    private static IReadOnlyList<string> Checked(IReadOnlyList<string> dirs)
    {
        if (dirs.Count is not (1 or 3))
        {
            throw new UsageException("expected one or three output directories", ExitCodes.Usage,
                new LogField("count", dirs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (dirs.FirstOrDefault(d => !Path.IsPathRooted(d)) is { } relative)
        {
            throw new UsageException("output directory is not absolute", ExitCodes.Usage, LogField.Quoted("dir", relative));
        }

        return dirs;
    }
}
