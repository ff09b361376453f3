using AiSandbox.Common.Logging;

namespace AiSandbox.Common.Tests;

public sealed class LogfmtTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Matches_the_baseline_line_shape()
    {
        var line = Logfmt.Format("info", Noon, "token valid", [("file", ".credentials.work.json"), ("remaining_secs", 7200L), ("expires", "2026-11-27 14:00:00 UTC")]);
        Assert.Equal("at=info ts=2026-11-27T12:00:00Z msg=\"token valid\" file=.credentials.work.json remaining_secs=7200 expires=\"2026-11-27 14:00:00 UTC\"", line);
    }

    [Fact]
    public void Quotes_when_asked_like_the_baseline_does_for_options()
    {
        var line = Logfmt.Format("fatal", null, "unknown option", [LogField.Quoted("option", "--bogus")]);
        Assert.Equal("at=fatal msg=\"unknown option\" option=\"--bogus\"", line);
    }

    [Theory]
    [InlineData("a b", "\"a b\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("two\nlines", "\"two\\nlines\"")]
    [InlineData("k=v", "\"k=v\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("plain", "plain")]
    public void Escapes_values_so_every_event_stays_on_one_line(string value, string expected)
    {
        var line = Logfmt.Format("info", null, "m", [("k", value)]);
        Assert.Equal("at=info msg=\"m\" k=" + expected, line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Log_writes_journal_priority_only_when_asked()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Noon);
        var plain = new StringWriter();
        new LogfmtLog(plain, time).Warn("rate limited, will retry next cycle", ("file", "x"));
        Assert.Equal("at=warn ts=2026-11-27T12:00:00Z msg=\"rate limited, will retry next cycle\" file=x\n", plain.ToString());

        var journal = new StringWriter();
        new LogfmtLog(journal, time, journalPrefix: true).Error("refresh failed");
        Assert.StartsWith("<3>at=error ", journal.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refreshed {file} {expires}", "refreshed")]
    [InlineData("postgresql {state} after {seconds}s", "postgresql after s")]
    [InlineData("no placeholders", "no placeholders")]
    public void Template_literal_text_becomes_the_message(string template, string expected) =>
        Assert.Equal(expected, LogfmtConsoleFormatter.LiteralText(template));

    [Fact]
    public void Journal_detection_needs_both_variables()
    {
        Assert.False(JournalDetection.StdoutIsJournal(_ => null));
        Assert.False(JournalDetection.StdoutIsJournal(n => n == "JOURNAL_STREAM" ? "8:123" : null));
        Assert.True(JournalDetection.StdoutIsJournal(n => n is "JOURNAL_STREAM" or "INVOCATION_ID" ? "x" : null));
    }
}
