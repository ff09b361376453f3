using AiSandbox.Common.Cli;
using AiSandbox.Launchers.Start;

var context = CommandContext.FromProcess(args);

// --wait-snapshots SECONDS is what c and cx run, never typed by users: one fixed shape, no usage or table of its own.
return context.Args is [SnapshotStream.Flag, ..]
    ? await SnapshotStream.RunAsync(context)
    : await StartCommand.RunAsync(context);
