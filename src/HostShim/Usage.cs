namespace AiSandbox.HostShim;

/// <summary>
/// ai's usage: the prose around the launch's table (<see cref="Launch.LaunchArgumentParser.Command"/>). The
/// subcommands without a usage of their own (<c>login</c>, <c>token-refresh</c>, <c>exec</c>, <c>setup-vm</c>)
/// print it too; <c>ps</c>, <c>stop</c> and <c>kube</c> have theirs.
/// </summary>
internal static class Usage
{
    public const string Synopsis = """
        ai [profile | cx [profile] | co [profile] | c|claude [profile] | codex|copilot [profile]] [options]
               ai login [profile]
               ai codex-login [profile] [--status]
               ai token-refresh
               ai ps
               ai stop NAME... | --all
               ai kube [profile] [--no-refresher]
               ai exec [name|last] [command...]
               ai setup-vm [--dry-run]
        """;

    public const string Description = """
        Refreshes the Claude profile's OAuth token, then runs the sandbox image with podman,
        the current directory mounted at /app. A missing image is built first (./build_image,
        about 5 minutes); an image older than the checkout gets a one-line notice. A profile
        without credentials is logged in first when ai runs on a terminal (as ai login <profile>,
        or ai codex-login <profile> for cx). co (Copilot) signs in inside the sandbox (/login in
        copilot) and keeps that login in $AI_DIR/settings/copilot[_<profile>].

        ai login [profile]       Claude OAuth login (open the URL, paste the code) into
                                 $AI_DIR/settings/.credentials.<profile>.json (0600)
        ai codex-login [profile] Codex device-code login into $AI_DIR/settings/codex_<profile>/auth.json
        ai ps                    every running sandbox with its readiness (ai ps --help)
        ai stop NAME...|--all    stop sandboxes cleanly (ai stop --help)
        ai kube [profile]        the sandbox as a Kubernetes Pod manifest (ai kube --help)

        Options:
        """;

    public const string Footer = """
        Environment: AI_DIR (default ~/ai), PORT (default 1337), AI_IMAGE (default ai:latest),
        AI_REMOTE, AI_FAST, AI_PODMAN_EXTRA_ARGS (extra podman options, split on whitespace),
        AI_HOST_REFRESH (host or container: where the token refresh before a launch runs; default
        container when podman is remote or CONTAINER_HOST is set, else host).

        Exit codes: podman's exit code once it runs; 0 for --help and --dry-run; 1 bad input,
        podman missing, a failed token flow, login or image build, or a profile without
        credentials and no terminal to log in on (the line names the command: run="ai login
        <profile>"); podman is not started; 2 an unusable profile name (1-64 of A-Z a-z 0-9 . _ -,
        starting with a letter or digit, no '..'), a bad login command line or a bad
        AI_HOST_REFRESH; 3 the host cannot boot the sandbox (rootless podman on cgroup v1).
        """;

    public static string Text => Launch.LaunchArgumentParser.Command.Usage;
}
