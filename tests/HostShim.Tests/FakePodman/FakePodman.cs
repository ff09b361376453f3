using System.Diagnostics;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests.FakePodman;

/// <summary>
/// Compiles fake-podman.c once per test run into a directory holding only <c>podman</c>; tests put that
/// directory first on PATH. gcc is part of the machine's toolchain (NativeAOT links with it).
/// </summary>
public sealed class FakePodmanBinary : IDisposable
{
    private readonly TempDir _dir = new("aisandbox-fake-podman-");

    public FakePodmanBinary()
    {
        var source = Path.Combine(RepoPaths.Root, "tests", "HostShim.Tests", "FakePodman", "fake-podman.c");
        var output = Path.Combine(BinDir, "podman");
        Directory.CreateDirectory(BinDir);
        var psi = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-O1", "-Wall", "-o", output, source })
        {
            psi.ArgumentList.Add(arg);
        }

        using var gcc = Process.Start(psi) ?? throw new InvalidOperationException("gcc is required to build the fake podman");
        var error = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException("gcc failed to build the fake podman: " + error);
        }
    }

    /// <summary>The directory to put first on PATH.</summary>
    public string BinDir => _dir["bin"];

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class FakePodmanCollection : ICollectionFixture<FakePodmanBinary>
{
    public const string Name = "fake podman";
}

/// <summary>One podman invocation as the fake recorded it.</summary>
public sealed record PodmanCall(IReadOnlyList<string> Args, string NotifySocket, IReadOnlyList<int> Signals)
{
    public string Command => Args.Count > 0 ? Args[0] : "";

    public static IReadOnlyList<PodmanCall> Read(string logPath)
    {
        if (!File.Exists(logPath))
        {
            return [];
        }

        var calls = new List<PodmanCall>();
        List<string>? args = null;
        var notify = "";
        var signals = new List<int>();
        foreach (var line in File.ReadAllLines(logPath))
        {
            if (line == "@@ call")
            {
                if (args is not null)
                {
                    calls.Add(new PodmanCall(args, notify, signals));
                }

                args = [];
                notify = "";
                signals = [];
            }
            else if (line.StartsWith("arg:", StringComparison.Ordinal))
            {
                args?.Add(line["arg:".Length..]);
            }
            else if (line.StartsWith("env:NOTIFY_SOCKET=", StringComparison.Ordinal))
            {
                notify = line["env:NOTIFY_SOCKET=".Length..];
            }
            else if (line.StartsWith("signal:", StringComparison.Ordinal))
            {
                signals.Add(int.Parse(line["signal:".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (args is not null)
        {
            calls.Add(new PodmanCall(args, notify, signals));
        }

        return calls;
    }
}
