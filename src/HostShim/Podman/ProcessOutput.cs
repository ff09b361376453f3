namespace AiSandbox.HostShim.Podman;

/// <summary>A finished podman query: exit code and captured output.</summary>
internal sealed record ProcessOutput(int ExitCode, string Stdout, string Stderr)
{
    public string FirstErrorLine => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
}
