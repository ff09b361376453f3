using AiSandbox.Common.Cli;
using AiSandbox.Common.Logging;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Commands;

/// <summary>
/// <c>ai setup-vm [--dry-run]</c>: the one-time, idempotent podman machine setup of the baseline's
/// <c>bin/setup-vm</c>: create or start the machine (<c>VM_NAME</c>, <c>VM_DISK</c> GB, <c>VM_MEMORY</c> MB),
/// zram swap of half the RAM with zstd, a restart when zram is not yet active swap (activating it live
/// proved fragile), the keyring sysctls that many containers exhaust, then the verification.
/// </summary>
internal static class SetupVmCommand
{
    public const string ZramConfig = "[zram0]\nzram-size = ram / 2\ncompression-algorithm = zstd\n";
    public const string KeyringConfig = "kernel.keys.maxkeys = 20000\nkernel.keys.maxbytes = 200000\n";

    private static readonly CliOption DryRun = CliOption.Flag("--dry-run", "print the plan and exit");

    // Its --help and its errors show ai's usage; the baseline's command exits 1 on a bad line.
    private static readonly CliCommand Command = new("ai setup-vm [--dry-run]", string.Empty, [], [DryRun], string.Empty)
    {
        UsageExitCode = ExitCodes.Failure,
    };

    public static async Task<int> RunAsync(CommandContext context, ShimServices services)
    {
        CliArgs parsed;
        try
        {
            parsed = Command.Parse(context.Args);
        }
        catch (UsageException e) when (e.Fields is [{ Key: "option", Value: "--gpu" }])
        {
            // The baseline's GPU machines: say they are not supported instead of "unknown option".
            throw new FatalException("GPU machines (libkrun, krunkit) are not supported", LogField.Quoted("option", "--gpu"));
        }

        if (parsed.Help)
        {
            await context.Stdout.WriteAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var dryRun = parsed.Has(DryRun);
        var plan = SetupVmPlan.From(context.Environment);
        if (dryRun)
        {
            foreach (var line in plan.Describe())
            {
                await context.Stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            await context.Stdout.FlushAsync().ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var podman = services.RequirePodman(context);
        return await plan.ExecuteAsync(podman, new LogfmtLog(context.Stderr, time: null), context.Cancellation).ConfigureAwait(false);
    }
}
