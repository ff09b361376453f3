using AiSandbox.Common.Cli;
using AiSandbox.TokenRefresher;

// Built by hand rather than with CommandContext.FromProcess so Console.In is only created when read.
// No Ctrl-C handler here: most one-shot commands may simply die (every write is atomic); --once and the
// daemon's host handle SIGINT/SIGTERM themselves, so a refresh already sent is finished and written.
var context = new CommandContext(
    Path.GetFileName(Environment.GetCommandLineArgs().FirstOrDefault() ?? string.Empty),
    args,
    new LazyConsoleReader(),
    Console.Out,
    Console.Error,
    Environment.GetEnvironmentVariable,
    TimeProvider.System,
    CancellationToken.None);
return context.Name == "codex-login"
    ? await CodexLoginCommand.RunAsync(context)
    : await RefreshTokensCommand.RunAsync(context);
