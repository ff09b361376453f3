using AiSandbox.Common.Text;

namespace AiSandbox.Common.Tests.Text;

/// <summary>The one quoting for TOML and YAML strings: every escape JSON has, every control character escaped.</summary>
public sealed class DoubleQuotedTests
{
    [Theory]
    [InlineData("/app/my project", "\"/app/my project\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("l1\nl2\tt\rr", "\"l1\\nl2\\tt\\rr\"")]
    [InlineData("nul\u0000esc\u001b", "\"nul\\u0000esc\\u001B\"")]
    [InlineData("del\u007f c1\u0085", "\"del\\u007F c1\\u0085\"")]
    [InlineData("ünïcode ✓", "\"ünïcode ✓\"")]
    public void Quotes(string value, string quoted) => Assert.Equal(quoted, DoubleQuoted.Quote(value));
}
