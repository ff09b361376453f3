using System.Diagnostics;

namespace AiSandbox.Launchers.Exec;

/// <summary>A child process started with exactly the given arguments and environment, never ours by accident.</summary>
internal static class ChildStart
{
    public static ProcessStartInfo Info(string path, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        return psi;
    }
}
