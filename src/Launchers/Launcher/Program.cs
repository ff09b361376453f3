using AiSandbox.Common.Cli;
using AiSandbox.Launchers;

var context = CommandContext.FromProcess(args);
return await LauncherDispatch.RunAsync(context);
