using System.Globalization;
using AiSandbox.HostShim.Podman;

namespace AiSandbox.HostShim.Launch;

/// <summary>The <c>podman run</c> for one sandbox: its arguments and the host paths it mounts.</summary>
/// <param name="QuietConsole">Whether podman runs behind <see cref="Podman.Terminal.TerminalRelay"/>, which drops
/// systemd's early cgroup lines: on local podman with cgroup v1, the only hosts where they appear, unless
/// <c>AI_QUIET_CONSOLE=0</c>.</param>
internal sealed record PodmanRunPlan(string Name, IReadOnlyList<string> Arguments, IReadOnlyList<BindMount> Mounts, bool SdNotify,
    bool QuietConsole = false)
{
    public const string DefaultImage = "ai:latest";

    /// <summary>
    /// podman stop gives systemd 60 s, not 10, to stop the units: refresh-tokens.service may need its full
    /// TimeoutStopSec (45 s) to finish a token refresh already sent. <c>ai stop</c> waits as long.
    /// </summary>
    public const int StopTimeoutSeconds = 60;

    /// <summary>The image every podman run of <c>ai</c> uses, and the one it checks and builds: AI_IMAGE, default ai:latest
    /// (podman finds it as localhost/ai:latest, the tag ./build_image gives).</summary>
    public static string Image(Func<string, string?> env) => env("AI_IMAGE") is { Length: > 0 } image ? image : DefaultImage;

    /// <summary>Builds the command line: the baseline's order, with the naming, image, user-namespace and readiness additions.</summary>
    public static PodmanRunPlan Build(LaunchArguments args, HostLayout layout, int primaryPort, string name,
        PodmanFacts facts, HostFacts host, Func<string, string?> env)
    {
        var hostDir = layout.ProjectDirName;
        var hostWorkdir = "/host-workdir/" + hostDir;
        var port = primaryPort.ToString(CultureInfo.InvariantCulture);
        var a = new List<string> { "run", "--rm", "--interactive", "--tty", "--name", name, "--hostname", name, "--pull=never",
            "--stop-timeout=" + StopTimeoutSeconds.ToString(CultureInfo.InvariantCulture) };
        a.AddRange(HostFit.Arguments(facts, host));

        var sdNotify = facts.SupportsSdNotify && !IsOff(env("AI_SDNOTIFY"));
        if (sdNotify)
        {
            a.Add("--sdnotify=container");
        }

        a.AddRange(["--cap-add=NET_ADMIN", "--cap-add=NET_RAW", "--cap-add=SYS_PTRACE"]);
        Env(a, "HOST_DIR", hostDir);
        Env(a, "HOST_WORKDIR", hostWorkdir);
        Env(a, "PORT", port);
        Env(a, "CLAUDE_PROFILE", args.ClaudeProfile);
        Env(a, "CODEX_PROFILE", args.CodexProfile);
        Env(a, "COPILOT_PROFILE", args.CopilotProfile);
        Env(a, args.Agent switch { Agent.Codex => "CODEX_RESUME", Agent.Copilot => "COPILOT_RESUME", _ => "CLAUDE_RESUME" }, args.Resume);
        Env(a, "CLAUDE_AUTO_START", args.Agent == Agent.Claude ? "1" : null);
        Env(a, "CODEX_AUTO_START", args.Agent == Agent.Codex ? "1" : null);
        Env(a, "COPILOT_AUTO_START", args.Agent == Agent.Copilot ? "1" : null);
        Env(a, "AI_REMOTE", args.Remote || LaunchValidator.Truthy(env("AI_REMOTE")) ? "1" : null);
        Env(a, "AI_FAST", args.Fast || LaunchValidator.Truthy(env("AI_FAST")) ? "1" : null);
        // The sandbox's own knobs (which services the supervisor starts, how long launchers wait), when set.
        Env(a, "AI_SERVICES", env("AI_SERVICES") is { Length: > 0 } services ? services : null);
        Env(a, "AI_READY_TIMEOUT", env("AI_READY_TIMEOUT") is { Length: > 0 } timeout ? timeout : null);

        var mounts = new List<BindMount>();
        foreach (var dir in new[] { "bundle", "commandhistory", "history", "repos", "settings", "share" })
        {
            mounts.Add(new BindMount(Path.Combine(layout.AiDir, dir), "/" + dir));
        }

        mounts.Add(new BindMount(Path.Combine(layout.RepoDir, "claude"), "/claude", ReadOnly: true));
        mounts.Add(new BindMount(layout.Cwd, "/app"));
        mounts.Add(new BindMount(layout.Cwd, hostWorkdir));
        foreach (var mount in mounts)
        {
            a.AddRange(mount.ToArguments());
        }

        a.AddRange(["--workdir", "/app"]);
        // The primary port goes to a random host port, as the baseline, but on loopback only.
        a.AddRange(["--publish", $"{PortSpec.Loopback}::{port}"]);
        foreach (var spec in args.Ports)
        {
            a.AddRange(["--publish", spec.ToPublish()]);
        }

        a.AddRange(Sandboxes.SandboxLabels.Arguments(args, layout));
        a.AddRange(ExtraArguments(env));
        a.Add(Image(env));
        var quiet = !facts.Remote && facts.CgroupVersion == "v1" && !IsOff(env("AI_QUIET_CONSOLE"));
        return new PodmanRunPlan(name, a, mounts, sdNotify, quiet);
    }

    /// <summary><c>AI_PODMAN_EXTRA_ARGS</c>: extra podman options, split on whitespace, placed before the image.</summary>
    public static IReadOnlyList<string> ExtraArguments(Func<string, string?> env) =>
        (env("AI_PODMAN_EXTRA_ARGS") ?? "").Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary><c>AI_SDNOTIFY=0</c> or <c>AI_QUIET_CONSOLE=0</c> (or false, no, off) turns that part off.</summary>
    private static bool IsOff(string? value) =>
        value?.ToLowerInvariant() is "0" or "false" or "no" or "off";

    public static string AgentLabel(Agent agent) => agent switch
    {
        Agent.Claude => "claude",
        Agent.Codex => "codex",
        Agent.Copilot => "copilot",
        _ => "",
    };

    private static void Env(List<string> a, string key, string? value)
    {
        if (value is not null)
        {
            a.Add("--env");
            a.Add($"{key}={value}");
        }
    }
}
