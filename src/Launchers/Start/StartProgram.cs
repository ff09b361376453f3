using AiSandbox.Common.Cli;

namespace AiSandbox.Launchers.Start;

/// <summary><c>s</c> (and <c>ai-start</c>, the name <c>c</c> and <c>cx</c> call it by), as the binary that carries it runs it.</summary>
public static class StartProgram
{
    /// <summary>The names the binary answers to with this program (argv[0]).</summary>
    public static bool Answers(string name) => name is "s" or "ai-start";

    public static Task<int> RunAsync(CommandContext context) =>
        // --wait-snapshots SECONDS is what c and cx run, never typed by users: one fixed shape, no usage or table of its own.
        context.Args is [SnapshotStream.Flag, ..]
            ? SnapshotStream.RunAsync(context)
            : StartCommand.RunAsync(context);
}
