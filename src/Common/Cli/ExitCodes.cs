namespace AiSandbox.Common.Cli;

/// <summary>Exit codes shared by every command; each command's --help lists the ones it uses.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and failed (a refresh, a probe, a missing file).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown option, missing value, bad argument.</summary>
    public const int Usage = 2;
}
