namespace AiSandbox.Common.Logging;

/// <summary>
/// Tells whether stdout goes to journald, so lines carry a <c>&lt;N&gt;</c> priority prefix there and
/// stay plain on a terminal or in <c>podman logs</c>. systemd sets JOURNAL_STREAM for a service whose
/// output is connected to the journal (systemd.exec(5)); INVOCATION_ID says we run as a unit at all.
/// </summary>
public static class JournalDetection
{
    public static bool StdoutIsJournal(Func<string, string?> getEnvironment) =>
        !string.IsNullOrEmpty(getEnvironment("JOURNAL_STREAM")) &&
        !string.IsNullOrEmpty(getEnvironment("INVOCATION_ID"));
}
