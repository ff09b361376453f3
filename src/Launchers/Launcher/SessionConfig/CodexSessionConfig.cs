using System.Text;
using AiSandbox.Common.IO;
using AiSandbox.Common.Text;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>
/// Writes the Codex home's <c>config.toml</c> on every launch: no approvals, full access, no update check,
/// the status line, trust for the working directories, then the image's plugin fragment (last, so a
/// config profile can still turn a plugin off).
/// </summary>
internal static class CodexSessionConfig
{
    public static readonly IReadOnlyList<string> StatusLine = ["current-dir", "git-branch", "model-with-reasoning", "context-used", "thread-id"];

    public static string Render(IEnumerable<string> trustedDirs, string? pluginFragment)
    {
        var sb = new StringBuilder();
        sb.Append("approval_policy = \"never\"\n");
        sb.Append("sandbox_mode = \"danger-full-access\"\n");
        sb.Append("check_for_update_on_startup = false\n\n");
        sb.Append("[tui]\n");
        sb.Append("notifications = false\n");
        sb.Append("status_line = [").AppendJoin(", ", StatusLine.Select(DoubleQuoted.Quote)).Append("]\n");
        sb.Append("terminal_title = [\"project-name\"]\n");
        foreach (var dir in trustedDirs.Distinct(StringComparer.Ordinal))
        {
            sb.Append("\n[projects.").Append(DoubleQuoted.Quote(dir)).Append("]\n");
            sb.Append("trust_level = \"trusted\"\n");
        }

        if (pluginFragment is not null)
        {
            sb.Append('\n').Append(pluginFragment);
            if (!pluginFragment.EndsWith('\n'))
            {
                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes config.toml and copies the image's plugin cache when <c>&lt;pluginRoot&gt;/config.toml</c> exists.</summary>
    public static string Write(string codexHome, IEnumerable<string> trustedDirs, string pluginRoot)
    {
        string? fragment = null;
        var pluginConfig = Path.Combine(pluginRoot, "config.toml");
        if (File.Exists(pluginConfig))
        {
            fragment = BoundedFile.ReadAllText(pluginConfig);
            var cache = Path.Combine(pluginRoot, "plugins", "cache");
            if (Directory.Exists(cache))
            {
                SessionFiles.CopyTree(cache, Path.Combine(codexHome, "plugins", "cache"));
            }
        }

        var path = Path.Combine(codexHome, "config.toml");
        AtomicFile.WriteAllText(path, Render(trustedDirs, fragment), durable: false);
        return path;
    }
}
