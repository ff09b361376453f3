using System.Text.Json.Nodes;
using AiSandbox.Common.IO;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>
/// The Sentry MCP server Claude gets when <c>sentry.token</c> exists (token with all whitespace removed; optional host):
/// the package at the version pinned in versions/sentry-mcp-server, the token in its environment (never its
/// argv), in the session's claude.json, which is 0600 in the 0700 session home.
/// </summary>
internal sealed class SentryServer
{
    public const string Package = "@sentry/mcp-server@" + PinnedVersions.SentryMcpServer;

    private readonly string _token;
    private readonly string? _host;

    private SentryServer(string token, string? host)
    {
        _token = token;
        _host = host;
    }

    public static SentryServer? Read(string tokenFile, string hostFile)
    {
        var token = ReadCompact(tokenFile);
        if (token is null)
        {
            return null;
        }

        var host = ReadCompact(hostFile);
        return new SentryServer(token, string.IsNullOrEmpty(host) ? null : host);
    }

    public JsonObject ToMcpServer()
    {
        var args = new JsonArray("-y", Package);
        if (_host is not null)
        {
            args.Add((JsonNode)("--host=" + _host));
        }

        return new JsonObject
        {
            ["type"] = "stdio",
            ["command"] = "npx",
            ["args"] = args,
            ["env"] = new JsonObject { ["SENTRY_ACCESS_TOKEN"] = _token },
        };
    }

    private static string? ReadCompact(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = BoundedFile.ReadAllText(path, 64 * 1024);
        return string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
    }
}
