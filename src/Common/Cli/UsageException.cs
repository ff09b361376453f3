using AiSandbox.Common.Logging;

namespace AiSandbox.Common.Cli;

/// <summary>
/// A bad command line, reported as one logfmt line such as
/// <c>at=fatal msg="unknown option" option="--bogus"</c>, then the usage text, then the exit code.
/// </summary>
public sealed class UsageException(string message, int exitCode = ExitCodes.Usage, params LogField[] fields)
    : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public IReadOnlyList<LogField> Fields { get; } = fields;

    public static UsageException UnknownOption(string option, int exitCode = ExitCodes.Usage) =>
        new("unknown option", exitCode, LogField.Quoted("option", option));

    public static UsageException MissingValue(string option, string what, int exitCode = ExitCodes.Usage) =>
        new($"{option} requires {what}", exitCode, LogField.Quoted("option", option));

    public static UsageException UnexpectedArgument(string arg, int exitCode = ExitCodes.Usage) =>
        new("unexpected argument", exitCode, LogField.Quoted("arg", arg));

    /// <summary>Writes the fatal line and the usage to <paramref name="stderr"/>; returns the exit code.</summary>
    public int Report(TextWriter stderr, string usage)
    {
        stderr.WriteLine(Logfmt.Format("fatal", null, Message, Fields.ToArray()));
        if (usage.Length > 0)
        {
            stderr.Write(usage);
        }

        stderr.Flush();
        return ExitCode;
    }
}
