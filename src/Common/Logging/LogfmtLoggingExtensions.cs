using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AiSandbox.Common.Logging;

public static class LogfmtLoggingExtensions
{
    /// <summary>
    /// Replaces every logging provider with the console one in logfmt. Call after UseSystemd/AddSystemd,
    /// which would otherwise pick its own plain "systemd" formatter.
    /// </summary>
    public static ILoggingBuilder AddLogfmtConsole(this ILoggingBuilder builder)
    {
        builder.ClearProviders();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddConsole(o => o.FormatterName = LogfmtConsoleFormatter.FormatterName);
        // Registered by hand: AddConsoleFormatter<,> binds options from configuration by reflection,
        // which NativeAOT cannot do.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, LogfmtConsoleFormatter>());
        builder.Services.Configure<LogfmtFormatterOptions>(o =>
            o.JournalPriorityPrefix = JournalDetection.StdoutIsJournal(Environment.GetEnvironmentVariable));
        return builder;
    }
}
