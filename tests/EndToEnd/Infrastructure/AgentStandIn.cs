using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// A stand-in for Claude Code, mounted as <c>claude</c> ahead of the real one on the sandbox's PATH
/// (<c>/workspace/.local/bin</c>), so <c>c</c> prepares a real session and execs it. It does with its
/// credential copy what Claude Code does: reads <c>~/.claude/.credentials.json</c> (through the link
/// <c>c</c> points at the session home) every second, and when it sees the token near expiry it refreshes
/// the chain itself, with the copy's refresh token, and writes the answer back (temp file and rename).
/// That must never be needed: every such refresh, every expired token it sees and every unreadable copy is
/// a line in <c>/app/.standin/events.log</c> (in the project directory on the host), next to one
/// <c>start</c> and one <c>exit</c> line per session. SIGINT, SIGTERM and SIGHUP end it.
/// </summary>
internal static class AgentStandIn
{
    public const string MountPoint = "/workspace/.local/bin/claude";

    /// <summary>The events file of one project, as the host sees it.</summary>
    public static string EventsFile(string projectDir) => Path.Combine(projectDir, ".standin", "events.log");

    /// <summary>Writes the script into <paramref name="dir"/>; <paramref name="nearExpirySeconds"/> is when it refreshes for itself.</summary>
    public static string Write(string dir, string tokenUrlInside, int nearExpirySeconds)
    {
        var path = Path.Combine(dir, "claude-standin");
        File.WriteAllText(path, Script.Replace("@TOKEN_URL@", tokenUrlInside, StringComparison.Ordinal)
            .Replace("@NEAR@", nearExpirySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>Every event line of a project's stand-ins (none when no session started there).</summary>
    public static IReadOnlyList<string> Events(string projectDir) =>
        File.Exists(EventsFile(projectDir)) ? File.ReadAllLines(EventsFile(projectDir)) : [];

    private const string Script = """
        #!/usr/bin/python3
        # Claude Code stand-in for the end-to-end soak: reads its copy, refreshes it itself near expiry.
        import json, os, signal, socket, sys, time, urllib.request

        TOKEN_URL = "@TOKEN_URL@"
        NEAR = @NEAR@
        home = os.environ.get("CLAUDE_CONFIG_DIR") or os.path.join(os.environ.get("HOME", "/workspace"), ".claude")
        copy = os.path.join(home, ".credentials.json")
        os.makedirs("/app/.standin", exist_ok=True)
        me = "%s:%d" % (socket.gethostname(), os.getpid())

        def event(kind, **fields):
            line = "%.3f %s %s %s\n" % (time.time(), kind, me, " ".join("%s=%s" % kv for kv in fields.items()))
            fd = os.open("/app/.standin/events.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(fd, line.encode())
            os.close(fd)

        def leave(signum, frame):
            event("exit", signal=signum)
            sys.exit(0)

        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, leave)

        def refresh(doc, oauth, remaining):
            body = json.dumps({"grant_type": "refresh_token", "refresh_token": oauth["refreshToken"],
                               "client_id": "standin"}).encode()
            req = urllib.request.Request(TOKEN_URL, data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=15) as r:
                    answer = json.load(r)
                oauth["accessToken"] = answer["access_token"]
                oauth["refreshToken"] = answer.get("refresh_token", oauth["refreshToken"])
                oauth["expiresAt"] = int(time.time() * 1000) + int(answer.get("expires_in", 3600)) * 1000
                tmp = copy + ".standin-tmp"
                with open(tmp, "w") as f:
                    json.dump(doc, f)
                os.chmod(tmp, 0o600)
                os.rename(tmp, copy)
                event("refreshed", remaining="%.1f" % remaining)
            except Exception as e:
                event("refreshed", remaining="%.1f" % remaining, failed=type(e).__name__)

        event("start", home=os.path.realpath(home))
        reads = 0
        while True:
            try:
                with open(copy) as f:
                    doc = json.load(f)
                oauth = doc["claudeAiOauth"]
                reads += 1
                remaining = oauth["expiresAt"] / 1000.0 - time.time()
                if remaining <= 0:
                    event("expired", remaining="%.1f" % remaining)
                if remaining < NEAR:
                    refresh(doc, oauth, remaining)
            except (OSError, ValueError, KeyError) as e:
                event("unreadable", error=type(e).__name__)
            time.sleep(1)
        """;
}
