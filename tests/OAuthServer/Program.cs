using System.Net;
using System.Runtime.InteropServices;
using AiSandbox.TestSupport.OAuth;

// Usage: dotnet tests/OAuthServer/bin/Debug/net10.0/AiSandbox.OAuthServer.dll [--listen 127.0.0.1] [--port 0] [--lifetime SECONDS]
// Prints one line with the URLs, then serves until SIGTERM/SIGINT. Drive it over HTTP:
//   POST /_control/fault?kind=rate_limit|server_error|hang|garbage|no_access_token|late&times=N (late: the normal answer after 2 s)
//        kind=rotate_then_late|rotate_then_bad_gateway|rotate_then_gateway_timeout|rotate_then_close: the token
//        is rotated first, then the answer is late (after the client gave up), a 502, a 504, or a closed connection
//   GET /_control/stats also counts spentTokenRequests (a refresh token sent again after it was rotated)
//   POST /_control/lifetime?seconds=N   POST /_control/issue?profile=P (credentials JSON)
//   POST /_control/authorize?url=<authorize URL> (code#state)   GET /_control/stats   POST /_control/clear
var listen = IPAddress.Loopback;
var port = 0;
int? lifetime = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--listen" when i + 1 < args.Length:
            listen = IPAddress.Parse(args[++i]);
            break;
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--lifetime" when i + 1 < args.Length:
            lifetime = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "-h" or "--help":
            Console.WriteLine("Usage: AiSandbox.OAuthServer [--listen ADDRESS] [--port N] [--lifetime SECONDS]\n\nExit codes: 0 stopped by a signal, 2 bad command line.");
            return 0;
        default:
            Console.Error.WriteLine($"at=fatal msg=\"unknown option\" option=\"{args[i]}\"");
            return 2;
    }
}

await using var server = OAuthTestServer.Start(listen, port);
if (lifetime is { } secs)
{
    server.TokenLifetime = TimeSpan.FromSeconds(secs);
}

var stopped = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
Console.WriteLine($"at=info msg=\"listening\" url={server.BaseUrl} token_url={server.TokenUrl} authorize_url={server.AuthorizeUrl} issuer={server.Issuer}");
Console.Out.Flush();
await stopped.Task;
return 0;
