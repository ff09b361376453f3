using AiSandbox.Common.Logging;

namespace AiSandbox.HostShim;

/// <summary>
/// Input or state that stops <c>ai</c> before podman starts: reported as one line,
/// <c>at=fatal msg="…" key=value</c>, exit 1 (the baseline's code for every fatal error), or
/// <see cref="ExitCode"/> where the project's shared rule asks for another (2 for an unusable profile name).
/// </summary>
internal sealed class FatalException(string message, params LogField[] fields) : Exception(message)
{
    public IReadOnlyList<LogField> Fields { get; } = fields;

    public int ExitCode { get; init; } = Common.Cli.ExitCodes.Failure;

    public int Report(TextWriter stderr)
    {
        stderr.WriteLine(Logfmt.Format("fatal", null, Message, Fields.ToArray()));
        stderr.Flush();
        return ExitCode;
    }
}
