using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers.Cli;

/// <summary>An agent launcher's command line: its table, and the options it reads from a parsed line.</summary>
internal interface ILaunchOptions<TSelf>
    where TSelf : ILaunchOptions<TSelf>
{
    static abstract CliCommand Line { get; }

    /// <exception cref="UsageException">A value the table cannot judge (a profile name) is not valid.</exception>
    static abstract TSelf From(CliArgs args);

    /// <summary>A look at the raw line before the table reads it, for what must be refused unread (a secret).</summary>
    /// <exception cref="UsageException">The line holds what it must not.</exception>
    static virtual IReadOnlyList<string> Screen(IReadOnlyList<string> args) => args;
}
