using System.Net.Sockets;
using System.Text;

namespace AiSandbox.TestSupport.OAuth;

/// <summary>One parsed HTTP/1.1 request: enough of the protocol for OAuth clients (Content-Length bodies).</summary>
public sealed record MiniHttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>One HTTP answer.</summary>
public sealed record MiniHttpResponse(int Status, string Body, string ContentType = "application/json")
{
    public static MiniHttpResponse Json(int status, string json) => new(status, json);

    public static MiniHttpResponse Text(int status, string text) => new(status, text, "text/plain; charset=utf-8");
}

/// <summary>Reads requests from and writes responses to a socket; one request per connection (Connection: close).</summary>
internal static class MiniHttp
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    public static async Task<MiniHttpRequest?> ReadAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[8192];
        var data = new MemoryStream();
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(data)) < 0)
        {
            var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            data.Write(buffer, 0, n);
            if (data.Length > MaxHeaderBytes)
            {
                return null;
            }
        }

        var all = data.ToArray();
        var head = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
        var requestLine = head[0].Split(' ');
        if (requestLine.Length < 2)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        var length = headers.TryGetValue("content-length", out var cl) && int.TryParse(cl, out var l) ? Math.Min(l, MaxBodyBytes) : 0;
        var body = new MemoryStream();
        body.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
        while (body.Length < length)
        {
            var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            body.Write(buffer, 0, n);
        }

        var target = requestLine[1];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var path = q >= 0 ? target[..q] : target;
        var query = q >= 0 ? ParseForm(target[(q + 1)..]) : new Dictionary<string, string>();
        return new MiniHttpRequest(requestLine[0], path, query, headers, body.ToArray());
    }

    public static async Task WriteAsync(NetworkStream stream, MiniHttpResponse response, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(response.Body);
        var head = $"HTTP/1.1 {response.Status} {Reason(response.Status)}\r\nContent-Type: {response.ContentType}\r\n" +
                   $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct).ConfigureAwait(false);
        await stream.WriteAsync(body, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public static Dictionary<string, string> ParseForm(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq >= 0 ? pair[..eq] : pair).Replace('+', ' '));
            var value = eq >= 0 ? Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' ')) : string.Empty;
            result[key] = value;
        }

        return result;
    }

    private static int IndexOfHeaderEnd(MemoryStream data)
    {
        var span = data.GetBuffer().AsSpan(0, (int)data.Length);
        return span.IndexOf("\r\n\r\n"u8);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        _ => "Status",
    };
}
