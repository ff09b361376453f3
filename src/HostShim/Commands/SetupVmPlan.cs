using System.Globalization;
using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Commands;

/// <summary>The steps of setup-vm, each run only when its condition holds.</summary>
internal sealed record SetupVmPlan(string Name, int DiskGb, int MemoryMb)
{
    public static SetupVmPlan From(Func<string, string?> env)
    {
        var name = env("VM_NAME") is { Length: > 0 } n ? n : "podman-machine-default";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new FatalException("invalid VM_NAME", ("value", name));
        }

        return new SetupVmPlan(name, Positive(env, "VM_DISK", 300), Positive(env, "VM_MEMORY", 8192));
    }

    public IReadOnlyList<string> InitArgs => ["machine", "init", "--disk-size", Str(DiskGb), "--memory", Str(MemoryMb), "--now", Name];

    public IReadOnlyList<string> StartArgs => ["machine", "start", Name];

    public IReadOnlyList<string> StopArgs => ["machine", "stop", Name];

    public IReadOnlyList<string> ZramArgs => Ssh(
        $"printf '{Escape(ZramConfig)}' | sudo tee /etc/systemd/zram-generator.conf >/dev/null && sudo systemctl daemon-reload");

    public IReadOnlyList<string> ZramCheckArgs => Ssh("swapon --show=NAME --noheadings");

    public IReadOnlyList<string> KeyringArgs => Ssh(
        $"printf '{Escape(SetupVmCommand.KeyringConfig)}' | sudo tee /etc/sysctl.d/90-keyring.conf >/dev/null && sudo sysctl -p /etc/sysctl.d/90-keyring.conf");

    public IReadOnlyList<string> VerifyArgs => Ssh("swapon --show && sysctl kernel.keys.maxkeys kernel.keys.maxbytes");

    private static string ZramConfig => SetupVmCommand.ZramConfig;

    /// <summary>The plan as a user reads it: each command shell-quoted, conditions as comments.</summary>
    public IEnumerable<string> Describe()
    {
        yield return $"# podman machine {Name}: disk {Str(DiskGb)} GB, memory {Str(MemoryMb)} MB";
        yield return "# when the machine does not exist:";
        yield return Line(InitArgs);
        yield return "# when it is not running:";
        yield return Line(StartArgs);
        yield return "# zram swap, half the RAM, zstd:";
        yield return Line(ZramArgs);
        yield return "# when /dev/zram0 is not active swap yet (restart instead of activating it live):";
        yield return Line(StopArgs);
        yield return Line(StartArgs);
        yield return "# keyring quotas (many containers exhaust the defaults):";
        yield return Line(KeyringArgs);
        yield return "# verification:";
        yield return Line(VerifyArgs);
    }

    public async Task<int> ExecuteAsync(PodmanCli podman, LogfmtLog log, CancellationToken cancellation)
    {
        var inspect = await podman.CaptureAsync(["machine", "inspect", "--format", "{{.State}}", Name], cancellation).ConfigureAwait(false);
        if (inspect.ExitCode != 0)
        {
            log.Info("creating podman machine", ("name", Name), ("disk_gb", DiskGb), ("memory_mb", MemoryMb));
            await StepAsync(podman, InitArgs, "init").ConfigureAwait(false);
        }
        else if (!inspect.Stdout.Trim().Equals("running", StringComparison.OrdinalIgnoreCase))
        {
            log.Info("starting podman machine", ("name", Name));
            await StepAsync(podman, StartArgs, "start").ConfigureAwait(false);
        }

        await StepAsync(podman, ZramArgs, "zram").ConfigureAwait(false);
        var swaps = await podman.CaptureAsync(ZramCheckArgs, cancellation).ConfigureAwait(false);
        if (!swaps.Stdout.Contains("/dev/zram0", StringComparison.Ordinal))
        {
            log.Info("restarting podman machine to activate zram swap", ("name", Name));
            await StepAsync(podman, StopArgs, "stop").ConfigureAwait(false);
            await StepAsync(podman, StartArgs, "start").ConfigureAwait(false);
        }

        await StepAsync(podman, KeyringArgs, "keyring").ConfigureAwait(false);
        await StepAsync(podman, VerifyArgs, "verify").ConfigureAwait(false);
        log.Info("podman machine ready", ("name", Name));
        return ExitCodes.Ok;
    }

    private static async Task StepAsync(PodmanCli podman, IReadOnlyList<string> args, string step)
    {
        var exit = await podman.RunAttachedAsync(args).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new FatalException("setup-vm step failed", ("step", step), ("exit", exit), ("command", Line(args)));
        }
    }

    private IReadOnlyList<string> Ssh(string script) => ["machine", "ssh", Name, script];

    private static string Line(IReadOnlyList<string> args) => "podman " + ShellQuote.Join(args);

    private static string Escape(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Positive(Func<string, string?> env, string key, int fallback)
    {
        var text = env(key);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return text.Length <= 9 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) > 0
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : throw new FatalException($"invalid {key}: expected a positive integer", ("value", text));
    }
}
