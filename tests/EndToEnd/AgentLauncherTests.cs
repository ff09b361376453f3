using AiSandbox.EndToEnd.Infrastructure;

namespace AiSandbox.EndToEnd;

/// <summary>
/// `g` and `co` in the booted image, as the console shell runs them: each prepares its agent's home and
/// replaces itself with the agent. The agents are stand-ins earlier on PATH that print what they were given,
/// so no login or network is needed; Claude Code and Codex reach their real prompts in the README walk.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AgentLauncherTests(ToolboxSandbox sandbox) : IClassFixture<ToolboxSandbox>
{
    private const string StandIns = """
        set -euo pipefail
        stub=$(mktemp -d)
        printf '#!/bin/sh\necho "gemini home=$(readlink "$HOME/.gemini") args=$*"\n' >"$stub/gemini"
        printf '#!/bin/sh\necho "copilot home=$COPILOT_HOME allow=$COPILOT_ALLOW_ALL args=$*"\n' >"$stub/copilot"
        chmod +x "$stub/gemini" "$stub/copilot"
        export PATH="$stub:$PATH"
        cd /app
        """;

    [Fact]
    public async Task G_points_the_gemini_home_at_a_new_session_and_becomes_gemini()
    {
        var output = await sandbox.Box.ShAsync(StandIns + "\nmkdir -p /settings/gemini_e2e && echo '{}' >/settings/gemini_e2e/settings.json\ng e2e\n",
            TimeSpan.FromSeconds(90));
        Assert.Matches(@"(?m)^gemini home=/history/\d{4}/\d\d_\w{3}/\d\d_\w{3}_\d\d-\d\d\S*_gemini args=--yolo$", output);
        // The image leaves no ~/.gemini of its own behind, so nothing had to be moved aside.
        Assert.DoesNotContain("saved existing agent home", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Co_keeps_copilot_state_under_the_profile_settings_and_turns_every_prompt_off()
    {
        var output = await sandbox.Box.ShAsync(StandIns + "\nco e2e\nstat -c %a /settings/copilot_e2e\n", TimeSpan.FromSeconds(90));
        Assert.Contains("copilot home=/settings/copilot_e2e allow=true args=--allow-all --no-auto-update", output, StringComparison.Ordinal);
        Assert.EndsWith("700", output.TrimEnd(), StringComparison.Ordinal);
    }
}
