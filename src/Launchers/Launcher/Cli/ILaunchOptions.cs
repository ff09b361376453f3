using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers.Cli;

/// <summary>A launcher's command line: how it parses and what its usage says.</summary>
internal interface ILaunchOptions<TSelf>
    where TSelf : ILaunchOptions<TSelf>
{
    static abstract string UsageText { get; }

    bool Help { get; }

    /// <exception cref="UsageException">The command line is not valid; the message names the bad part.</exception>
    static abstract TSelf Parse(IReadOnlyList<string> args);
}
