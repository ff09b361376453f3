using AiSandbox.EndToEnd.Infrastructure;
using AiSandbox.TestSupport;

namespace AiSandbox.EndToEnd;

/// <summary>What the image promises to a user: the agents at the pinned versions, the runtimes, the tools.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ImageContentsTests(TestImage image)
{
    private static string Pin(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "versions", name)).Trim();

    [Fact]
    public async Task The_agents_run_at_the_pinned_versions()
    {
        // No systemd needed: a plain command container is enough to run each --version.
        var result = await Podman.CheckedAsync(["run", "--rm", "--pull=never", "--network=none", image.Name, "bash", "-c",
            "claude --version; codex --version; gemini --version; copilot --version | head -1"], TimeSpan.FromSeconds(90));
        var lines = result.StdoutLines;
        Assert.Contains(Pin("claude-code"), lines[0], StringComparison.Ordinal);
        Assert.Contains(Pin("codex"), lines[1], StringComparison.Ordinal);
        Assert.Contains(Pin("gemini-cli"), lines[2], StringComparison.Ordinal);
        Assert.Contains(Pin("copilot"), lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_image_home_holds_no_agent_home_the_launchers_would_have_to_move()
    {
        // `cx` points ~/.codex at the session home; a ~/.codex from an image layer cannot be renamed on overlayfs.
        var result = await Podman.CheckedAsync(["run", "--rm", "--pull=never", "--network=none", image.Name, "bash", "-c",
            "cd \"$HOME\" && ls -A"], TimeSpan.FromSeconds(60));
        foreach (var name in new[] { ".claude", ".claude.json", ".codex", ".gemini", ".copilot" })
        {
            Assert.DoesNotContain(name, result.StdoutLines);
        }
    }

    [Fact]
    public async Task Runtimes_and_tools_from_the_distribution_are_there()
    {
        var script = """
            set -e
            node -e 'const m = +process.versions.node.split(".")[0]; if (m < 22) { console.error("node " + m); process.exit(1) }'
            python3 -c 'import sys; assert sys.version_info >= (3, 11)'
            ruby -e 'exit 1 if RUBY_VERSION < "3.1"'
            bundle --version
            go version
            java -version 2>&1 | head -1
            gcc --version | head -1; make --version | head -1
            git --version; jq --version; rg --version | head -1; tmux -V
            psql --version; redis-cli --version
            ! dpkg -s openjdk-21-jdk >/dev/null 2>&1   # the headless JDK only
            """;
        var result = await Podman.CheckedAsync(["run", "--rm", "--pull=never", "--network=none", image.Name, "bash", "-c", script],
            TimeSpan.FromSeconds(60));
        Assert.Contains("go version go1.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("psql (PostgreSQL)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mitmproxy_proxies_a_request_and_records_the_flow()
    {
        // All on the container's own loopback: a plain HTTP server, mitmdump in front of it, curl through it.
        var script = """
            set -e
            mitmdump --version | head -1
            mkdir -p /tmp/site && echo hello-through-the-proxy >/tmp/site/index.txt
            python3 -m http.server 18080 --bind 127.0.0.1 --directory /tmp/site >/dev/null 2>&1 &
            mitmdump --listen-host 127.0.0.1 -p 18081 -w /tmp/flows >/tmp/mitm.log 2>&1 &
            for i in $(seq 1 150); do
              curl -sf -x http://127.0.0.1:18081 http://127.0.0.1:18080/index.txt && break
              sleep 0.1
            done
            sleep 0.5
            cat /tmp/mitm.log
            """;
        var result = await Podman.CheckedAsync(["run", "--rm", "--pull=never", "--network=none", image.Name, "bash", "-c", script],
            TimeSpan.FromSeconds(60));
        Assert.Contains("Mitmproxy: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("hello-through-the-proxy", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("GET http://127.0.0.1:18080/index.txt", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_commands_are_installed_under_their_baseline_names()
    {
        var result = await Podman.CheckedAsync(["run", "--rm", "--pull=never", "--network=none", image.Name, "bash", "-c",
            "for c in refresh-tokens codex-login ai-supervisor ai-launcher ai-start c cx g co x s start.sh claude-login l claude-hook; do " +
            "command -v $c >/dev/null || echo missing=$c; done; s --help >/dev/null 2>&1 && echo s-help-ok; start.sh --help >/dev/null 2>&1 && echo start-help-ok"],
            TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("missing=", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("s-help-ok", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("start-help-ok", result.Stdout, StringComparison.Ordinal);
    }
}
