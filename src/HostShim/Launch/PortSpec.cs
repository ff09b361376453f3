using System.Globalization;
using AiSandbox.Common.Logging;

namespace AiSandbox.HostShim.Launch;

/// <summary>
/// One <c>--ports</c> entry: <c>N</c>, <c>HOST:CONTAINER</c> or <c>ADDR:HOST:CONTAINER</c>. Without an
/// address the port is published on 127.0.0.1 only: the baseline bound every host interface, which put
/// development servers on the network by accident.
/// </summary>
internal sealed record PortSpec(string Address, int HostPort, int ContainerPort)
{
    public const string Loopback = "127.0.0.1";

    /// <summary>The <c>--publish</c> value.</summary>
    public string ToPublish() => $"{Address}:{HostPort.ToString(CultureInfo.InvariantCulture)}:{ContainerPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses a comma-separated list; throws <see cref="FatalException"/> naming the first bad entry.</summary>
    public static IReadOnlyList<PortSpec> ParseList(string list)
    {
        var specs = new List<PortSpec>();
        foreach (var entry in list.Split(','))
        {
            specs.Add(Parse(entry));
        }

        return specs;
    }

    public static PortSpec Parse(string entry)
    {
        var address = Loopback;
        var rest = entry;
        if (rest.StartsWith('['))
        {
            // An IPv6 address: [::1]:8080:80.
            var close = rest.IndexOf("]:", StringComparison.Ordinal);
            if (close < 2)
            {
                throw Invalid(entry);
            }

            address = rest[..(close + 1)];
            rest = rest[(close + 2)..];
            var ports = rest.Split(':');
            return ports.Length == 2 ? new PortSpec(address, Port(ports[0], entry), Port(ports[1], entry)) : throw Invalid(entry);
        }

        var parts = rest.Split(':');
        return parts.Length switch
        {
            1 => new PortSpec(address, Port(parts[0], entry), Port(parts[0], entry)),
            2 => new PortSpec(address, Port(parts[0], entry), Port(parts[1], entry)),
            3 when IsIPv4(parts[0]) => new PortSpec(parts[0], Port(parts[1], entry), Port(parts[2], entry)),
            _ => throw Invalid(entry),
        };
    }

    /// <summary>A port number: digits only, 1–65535.</summary>
    public static int Port(string text, string entry)
    {
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit))
        {
            throw Invalid(entry);
        }

        var value = int.Parse(text, CultureInfo.InvariantCulture);
        return value is >= 1 and <= 65535 ? value : throw Invalid(entry);
    }

    private static bool IsIPv4(string text)
    {
        var octets = text.Split('.');
        return octets.Length == 4 && octets.All(o => o.Length is >= 1 and <= 3 && o.All(char.IsAsciiDigit)
            && int.Parse(o, CultureInfo.InvariantCulture) <= 255);
    }

    private static FatalException Invalid(string entry) => new("invalid port spec", ("spec", entry));
}
