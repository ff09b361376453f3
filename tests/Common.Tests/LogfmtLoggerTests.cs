using AiSandbox.Common.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AiSandbox.Common.Tests;

public sealed partial class LogfmtLoggerTests
{
    [Fact]
    public void LoggerMessage_templates_become_msg_and_fields()
    {
        var output = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var logger = new LogfmtLogger(new LogfmtLog(output, time));

        TokenValid(logger, ".credentials.work.json", 7200, "2026-11-27 14:00:00 UTC");
        Skipped(logger, "x");

        Assert.Equal(
            "at=info ts=2026-11-27T12:00:00Z msg=\"token valid\" file=.credentials.work.json remaining_secs=7200 expires=\"2026-11-27 14:00:00 UTC\"\n",
            output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "token valid {file} {remaining_secs} {expires}")]
    private static partial void TokenValid(ILogger logger, string file, long remaining_secs, string expires);

    [LoggerMessage(Level = LogLevel.Debug, Message = "below the minimum {x}")]
    private static partial void Skipped(ILogger logger, string x);
}
