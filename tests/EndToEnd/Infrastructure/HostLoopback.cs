namespace AiSandbox.EndToEnd.Infrastructure;

/// <summary>
/// How a container reaches a server the test runs on the host's loopback, without host networking:
/// slirp4netns with allow_host_loopback maps 10.0.2.2 inside to 127.0.0.1 on the host. The container
/// keeps its own network namespace, so its PostgreSQL, Redis and broker ports never collide with the
/// host's or another run's, and no traffic leaves the machine.
/// </summary>
internal static class HostLoopback
{
    public const string Network = "slirp4netns:allow_host_loopback=true";

    public const string AddressInside = "10.0.2.2";

    /// <summary>The same URL as seen from inside the container.</summary>
    public static string Inside(string hostUrl)
    {
        var uri = new UriBuilder(hostUrl);
        if (uri.Host is not ("127.0.0.1" or "localhost"))
        {
            throw new ArgumentException("not a host loopback URL: " + hostUrl, nameof(hostUrl));
        }

        uri.Host = AddressInside;
        return uri.Uri.ToString();
    }
}
