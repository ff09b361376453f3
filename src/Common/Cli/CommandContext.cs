namespace AiSandbox.Common.Cli;

/// <summary>
/// What a command sees of its process: arguments, streams, environment, clock. Programs build it from
/// the real process; tests build it in memory and call the command directly.
/// </summary>
public sealed record CommandContext(
    string Name,
    IReadOnlyList<string> Args,
    TextReader Stdin,
    TextWriter Stdout,
    TextWriter Stderr,
    Func<string, string?> Environment,
    TimeProvider Time,
    CancellationToken Cancellation)
{
    /// <summary>The real process: argv[0]'s file name as <see cref="Name"/>, so multi-call binaries dispatch on it.</summary>
    public static CommandContext FromProcess(string[] args, CancellationToken cancellation = default)
    {
        var argv0 = System.Environment.GetCommandLineArgs().FirstOrDefault() ?? string.Empty;
        return new CommandContext(
            Path.GetFileName(argv0),
            args,
            new LazyStdin(),
            Console.Out,
            Console.Error,
            System.Environment.GetEnvironmentVariable,
            TimeProvider.System,
            cancellation);
    }

    public string? Env(string name) => Environment(name);

    public string EnvOr(string name, string fallback) =>
        Environment(name) is { Length: > 0 } value ? value : fallback;
}
