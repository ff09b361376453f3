using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers.Cli;

/// <summary>What an agent launcher starts with, or the exit code that ends it before any work.</summary>
internal readonly record struct Prologue<T>(T? Options, string Home, int? Exit)
    where T : class;

/// <summary>
/// The steps every agent launcher takes before touching anything: parse (usage error → 2, with the usage
/// on stderr), answer <c>--help</c> (→ 0), require HOME (→ 1).
/// </summary>
internal static class LaunchPrologue
{
    public static Prologue<T> Begin<T>(LauncherHost host)
        where T : class, ILaunchOptions<T>
    {
        T options;
        try
        {
            if (T.Line.ParseOrAnswer(T.Screen(host.Context.Args), host.Stdout, host.Stderr, out var exit) is not { } args)
            {
                return new(null, string.Empty, exit);
            }

            options = T.From(args);
        }
        catch (UsageException e)
        {
            return new(null, string.Empty, e.Report(host.Stderr, T.Line.Usage));
        }

        return host.Env("HOME") is { } home
            ? new(options, home, null)
            : new(null, string.Empty, host.Fail("HOME is not set"));
    }
}
