using AiSandbox.Common.Cli;
using AiSandbox.HostShim;
using AiSandbox.HostShim.Commands;
using AiSandbox.HostShim.Tokens;

var context = CommandContext.FromProcess(args);
return await AiCommand.RunAsync(context, ShimServices.FromProcess(new RefresherChains(context.Environment, context.Stderr, context.Time)));
