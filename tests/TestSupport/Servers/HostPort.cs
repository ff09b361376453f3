namespace AiSandbox.TestSupport.Servers;

public static class HostPort
{
    public static (string Host, int Port) Parse(string address, int defaultPort)
    {
        var colon = address.LastIndexOf(':');
        return colon < 0
            ? (address, defaultPort)
            : (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
