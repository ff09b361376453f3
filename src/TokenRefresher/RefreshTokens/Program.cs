using AiSandbox.Common.Cli;
using AiSandbox.TokenRefresher;

// No Ctrl-C handler here: most one-shot commands may simply die (every write is atomic); --once and the
// daemon's host handle SIGINT/SIGTERM themselves, so a refresh already sent is finished and written.
var context = CommandContext.FromProcess(args);

// By argv[0] alone: as a CliVerb, codex-login would also answer as refresh-tokens' first word and be listed in its usage.
return context.Name == "codex-login"
    ? await CodexLoginCommand.RunAsync(context)
    : await RefreshTokensCommand.RunAsync(context);
