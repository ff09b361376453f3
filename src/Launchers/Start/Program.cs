using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Start;

var context = CommandContext.FromProcess(args);
return context.Args is [SnapshotStream.Flag, ..]
    ? await SnapshotStream.RunAsync(context)
    : await StartCommand.RunAsync(context);
