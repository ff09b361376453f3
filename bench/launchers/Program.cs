// c from exec to the agent's first instruction, with every service ready, against a baseline measured in
// the same run: exec'ing the stub agent directly. Usage: launcher-bench <bin-dir> <stub> <bus-address> [runs]
using System.Diagnostics;
using System.Globalization;
using Tmds.DBus.Protocol;

var bin = args[0];
var stub = args[1];
var bus = args[2];
var runs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50;

var scratch = Directory.CreateTempSubdirectory("launcher-bench-").FullName;
var stubBin = Path.Combine(scratch, "bin");
Directory.CreateDirectory(stubBin);
File.CreateSymbolicLink(Path.Combine(stubBin, "claude"), stub);
foreach (var dir in new[] { "home", "history", "settings", "app" })
{
    Directory.CreateDirectory(Path.Combine(scratch, dir));
}

File.WriteAllText(Path.Combine(scratch, "settings", ".credentials.work.json"),
    "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":" + DateTimeOffset.UtcNow.AddHours(5).ToUnixTimeMilliseconds() + "}}");
// A history as a user has it: 20 earlier sessions of the profile over the last ten hours, each with its
// credentials copy, which c's chain scan reads. Each measured launch's own session is removed afterwards,
// so every run sees the same history (otherwise the scan grows with the run count).
var history = Path.Combine(scratch, "history");
var seeded = new HashSet<string>(StringComparer.Ordinal);
for (var i = 1; i <= 20; i++)
{
    var t = DateTime.UtcNow.AddMinutes(-30 * i);
    var dir = Path.Combine(history, t.ToString("yyyy", CultureInfo.InvariantCulture), t.ToString("MM_MMM", CultureInfo.InvariantCulture),
        t.ToString("dd_ddd_HH-mm", CultureInfo.InvariantCulture) + "_claude");
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, ".credentials.json"),
        "{\"claudeAiOauth\":{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"expiresAt\":" + new DateTimeOffset(t).AddHours(4).ToUnixTimeMilliseconds() + "}}");
    File.WriteAllText(Path.Combine(dir, ".profile"), "work\n");
    seeded.Add(dir);
}

void Prune()
{
    foreach (var dir in Directory.EnumerateDirectories(history, "*_claude", SearchOption.AllDirectories).Where(d => !seeded.Contains(d)).ToList())
    {
        Directory.Delete(dir, recursive: true);
    }
}

var repo = Environment.GetEnvironmentVariable("AISANDBOX_ROOT") ?? throw new InvalidOperationException("AISANDBOX_ROOT not set");
var record = Path.Combine(scratch, "record");

await using var supervisor = await ReadySupervisor.StartAsync(bus);
var phases = new Dictionary<string, List<double>>();

async Task<double> Once(string program, string[] argv, bool launcher)
{
    File.Delete(record);
    var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, WorkingDirectory = Path.Combine(scratch, "app") };
    foreach (var a in argv)
    {
        psi.ArgumentList.Add(a);
    }

    psi.Environment.Clear();
    psi.Environment["PATH"] = stubBin + ":/usr/bin:/bin";
    psi.Environment["HOME"] = Path.Combine(scratch, "home");
    psi.Environment["HISTORY_ROOT"] = Path.Combine(scratch, "history");
    psi.Environment["SETTINGS_ROOT"] = Path.Combine(scratch, "settings");
    psi.Environment["CLAUDE_SETTINGS_FILE"] = Path.Combine(repo, "claude", "settings.json");
    psi.Environment["CLAUDE_JSON_TEMPLATE"] = Path.Combine(repo, "claude", "claude.json");
    psi.Environment["PLUGIN_ROOT"] = Path.Combine(scratch, "plugins");
    psi.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = launcher ? bus : "unix:path=/nonexistent";
    psi.Environment["STUB_RECORD"] = record;
    psi.Environment["AI_LAUNCH_TRACE"] = "1";
    var t0 = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100L;
    using var p = Process.Start(psi)!;
    var err = await p.StandardError.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (p.ExitCode != 0 || !File.Exists(record))
    {
        throw new InvalidOperationException($"{program} failed: exit {p.ExitCode}: {err}");
    }

    if (launcher && err.Contains("at=warn", StringComparison.Ordinal))
    {
        throw new InvalidOperationException("the launch was not clean (services not ready?): " + err);
    }

    if (launcher && err.Split('\n').FirstOrDefault(l => l.Contains("launch phases", StringComparison.Ordinal)) is { } line)
    {
        foreach (var field in line.Split(' ').Where(f => f.Contains("_ms=", StringComparison.Ordinal)))
        {
            var (key, value) = (field[..field.IndexOf('=')], double.Parse(field[(field.IndexOf('=') + 1)..], CultureInfo.InvariantCulture));
            (phases.TryGetValue(key, out var list) ? list : phases[key] = []).Add(value);
        }
    }

    var t1 = long.Parse(File.ReadLines(record).First()[2..], CultureInfo.InvariantCulture);
    if (launcher)
    {
        Prune();
    }

    return (t1 - t0) / 1e6;
}

static double Median(List<double> xs)
{
    xs.Sort();
    return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
}

// Warm the page cache and the bus for both.
for (var i = 0; i < 5; i++)
{
    await Once(stub, [], launcher: false);
    await Once(Path.Combine(bin, "c"), ["work"], launcher: true);
}

var baseline = new List<double>();
var launch = new List<double>();
for (var i = 0; i < runs; i++)
{
    // Interleaved, so load from other work hits both alike.
    baseline.Add(await Once(stub, [], launcher: false));
    launch.Add(await Once(Path.Combine(bin, "c"), ["work"], launcher: true));
}

var b = Median(baseline);
var c = Median(launch);
Console.WriteLine($"runs={runs}  history: {seeded.Count} earlier sessions of the profile, each with credentials");
Console.WriteLine($"baseline (exec stub directly)      median={b:0.00} ms  min={baseline.Min():0.00} ms");
Console.WriteLine($"c work (supervisor ready, exec)    median={c:0.00} ms  min={launch.Min():0.00} ms  p90={launch.OrderBy(x => x).ElementAt((int)(runs * 0.9)):0.00} ms");
Console.WriteLine($"c's own cost (median difference)   {c - b:0.00} ms   (goal: <= 10 ms)");
Console.WriteLine($"ratio c / baseline                 {c / b:0.0}x");
var inPhases = phases.Values.Sum(Median);
Console.WriteLine("c's phases (median ms, AI_LAUNCH_TRACE): " + string.Join("  ", phases.Select(p => $"{p.Key[..^3]}={Median(p.Value):0.00}"))
    + $"  outside them (exec and runtime start of c, execve and start of the stub)={c - inPhases:0.00}");
Directory.Delete(scratch, recursive: true);

/// <summary>A supervisor that is already ready: WaitReady answers at once.</summary>
internal sealed class ReadySupervisor : IPathMethodHandler, IAsyncDisposable
{
    private const string Name = "org.aisandbox.Supervisor1";
    private readonly DBusConnection _connection;

    private ReadySupervisor(DBusConnection connection) => _connection = connection;

    public string Path => "/org/aisandbox/Supervisor1";

    public bool HandlesChildPaths => false;

    public static async Task<ReadySupervisor> StartAsync(string address)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        var supervisor = new ReadySupervisor(connection);
        connection.AddMethodHandler(supervisor);
        if (!await connection.TryRequestNameAsync(Name, RequestNameOptions.None))
        {
            throw new InvalidOperationException(Name + " is already owned on " + address);
        }

        return supervisor;
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var writer = context.CreateReplyWriter(context.Request.MemberAsString == "WaitReady" ? "sa{s(ssd)}" : "a{sv}");
        try
        {
            if (context.Request.MemberAsString == "WaitReady")
            {
                writer.WriteString("ready");
                WriteServices(ref writer);
            }
            else
            {
                var dict = writer.WriteDictionaryStart();
                writer.WriteDictionaryEntryStart();
                writer.WriteString("State");
                writer.WriteVariantString("ready");
                writer.WriteDictionaryEntryStart();
                writer.WriteString("Services");
                writer.WriteSignature("a{s(ssd)}");
                WriteServices(ref writer);
                writer.WriteDictionaryEnd(dict);
            }

            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static void WriteServices(ref MessageWriter writer)
    {
        var dict = writer.WriteDictionaryStart();
        foreach (var name in new[] { "postgresql", "lavinmq", "redis", "bundle" })
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteStructureStart();
            writer.WriteString(name == "bundle" ? "skipped" : "ready");
            writer.WriteString(string.Empty);
            writer.WriteDouble(0.5);
        }

        writer.WriteDictionaryEnd(dict);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.ReleaseNameAsync(Name);
        _connection.Dispose();
    }
}
