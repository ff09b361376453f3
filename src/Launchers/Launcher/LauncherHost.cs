using System.Collections;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.Launchers.Exec;
using AiSandbox.Launchers.Readiness;

namespace AiSandbox.Launchers;

/// <summary>
/// What a launcher needs from its process beyond <see cref="CommandContext"/>: the whole environment (the
/// agent inherits it), how the agent is started, how readiness is awaited, and whether stderr is a
/// terminal. Tests build one in memory with a recording runner and a test bus.
/// </summary>
internal sealed record LauncherHost(
    CommandContext Context,
    IReadOnlyDictionary<string, string> Environment,
    IAgentRunner Runner,
    Func<LauncherHost, IReadinessWait> Readiness,
    bool Terminal)
{
    public static LauncherHost FromProcess(CommandContext context)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return new LauncherHost(context, env, new ProcessAgentRunner(), DefaultReadiness, !Console.IsErrorRedirected);
    }

    /// <summary>An in-memory host: the context reads <paramref name="environment"/>, so both always agree.</summary>
    public static LauncherHost ForTest(string name, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment,
        IAgentRunner runner, TextWriter stdout, TextWriter stderr, TimeProvider time, TextReader? stdin = null,
        Func<LauncherHost, IReadinessWait>? readiness = null) =>
        new(new CommandContext(name, args, stdin ?? TextReader.Null, stdout, stderr, k => environment.GetValueOrDefault(k), time, CancellationToken.None),
            environment, runner, readiness ?? DefaultReadiness, false);

    public static IReadinessWait DefaultReadiness(LauncherHost host) => new BootstrapReadiness(host.Environment, host.Context.Time);

    public TextWriter Stdout => Context.Stdout;

    public TextWriter Stderr => Context.Stderr;

    public TimeProvider Time => Context.Time;

    /// <summary>Launcher lines carry no timestamp: they are read on a terminal, as they happen.</summary>
    public LogfmtLog Log { get; } = new(Context.Stderr, null);

    public string? Env(string name) => Lookup(Environment, name);

    /// <summary>A variable of <paramref name="environment"/>; an empty value counts as unset.</summary>
    public static string? Lookup(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    public string EnvOr(string name, string fallback) => Env(name) ?? fallback;

    public bool EnvFlag(string name) =>
        Env(name)?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    public string HistoryRoot => EnvOr("HISTORY_ROOT", "/history");

    public string SettingsRoot => EnvOr("SETTINGS_ROOT", "/settings");

    /// <summary>Writes a fatal line naming the problem and returns the failure exit code.</summary>
    public int Fail(string message, params ReadOnlySpan<LogField> fields)
    {
        Log.Fatal(message, fields);
        return ExitCodes.Failure;
    }

    /// <summary>The environment for the agent: ours, with changes applied (null removes a variable).</summary>
    public Dictionary<string, string> AgentEnvironment(IEnumerable<KeyValuePair<string, string?>> changes)
    {
        var env = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                env.Remove(key);
            }
            else
            {
                env[key] = value;
            }
        }

        return env;
    }
}
