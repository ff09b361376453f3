using AiSandbox.Common.Cli;

const string usage = """
    Usage: ai [profile | cx [profile] | c|claude [profile] | codex [profile]] [options]
           ai token-refresh | ps | exec [name|last] [cmd...] | setup-vm [--dry-run]

    Refreshes the profile's OAuth token, then runs the sandbox image with podman.

    Options:
      -r, --resume ID   resume an agent session
      --ports LIST      extra published ports: N, A:B or ADDR:A:B, comma-separated
      --remote          enable Claude remote control
      --fast            enable Claude fast mode
      --dry-run         print the podman command, one argument per line, and exit
      -h, --help        show this help

    Exit codes: podman's exit code; 1 bad input or failed token flow.

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

        if (arg.StartsWith('-'))
        {
            throw UsageException.UnknownOption(arg, ExitCodes.Failure);
        }
    }
}
catch (UsageException e)
{
    return e.Report(context.Stderr, usage);
}

context.Stderr.WriteLine("at=error msg=\"not implemented yet\"");
return ExitCodes.Failure;
