using AiSandbox.Common.Cli;
using AiSandbox.TokenRefresher;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var context = CommandContext.FromProcess(args, cancel.Token);
return context.Name == "codex-login"
    ? await CodexLoginCommand.RunAsync(context)
    : await RefreshTokensCommand.RunAsync(context);
