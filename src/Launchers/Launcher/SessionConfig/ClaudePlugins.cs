using AiSandbox.Common.Logging;

namespace AiSandbox.Launchers.SessionConfig;

/// <summary>
/// Plugins baked into the image live under PLUGIN_ROOT; each session home gets symlinks to them in
/// <c>skills/</c> (Claude loads them as <c>&lt;name&gt;@skills-dir</c>), and the blocklists start some disabled.
/// </summary>
internal static class ClaudePlugins
{
    /// <summary>Links every plugin of <paramref name="pluginRoot"/> into <c>&lt;home&gt;/skills</c> and drops dangling links; real directories there are left alone.</summary>
    public static void LinkSkills(string pluginRoot, string home)
    {
        if (!Directory.Exists(pluginRoot))
        {
            return;
        }

        var skills = Path.Combine(home, "skills");
        Common.IO.AtomicFile.EnsureDirectory(skills);
        foreach (var entry in new DirectoryInfo(skills).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null && entry.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            {
                entry.Delete();
            }
        }

        foreach (var plugin in new DirectoryInfo(pluginRoot).EnumerateDirectories())
        {
            var real = plugin.LinkTarget is null ? plugin.FullName : plugin.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (real is null || !File.Exists(Path.Combine(real, ".claude-plugin", "plugin.json")))
            {
                continue;
            }

            var link = Path.Combine(skills, plugin.Name);
            if (Directory.Exists(link) && new DirectoryInfo(link).LinkTarget is null)
            {
                continue;
            }

            ReplaceSymlink(link, real);
        }
    }

    /// <summary>
    /// Names from the blocklist files in order: text from <c>#</c> on is a comment, characters outside
    /// <c>[A-Za-z0-9._-]</c> are dropped. A name that is not a baked plugin is warned about and skipped.
    /// </summary>
    public static IReadOnlyList<string> ReadBlocklist(IReadOnlyList<string> files, string pluginRoot, LogfmtLog log)
    {
        var names = new List<string>();
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var raw in Common.IO.BoundedFile.ReadAllText(file).Split('\n'))
            {
                var line = raw.Split('#')[0];
                var name = string.Concat(line.Where(IsNameChar));
                if (name.Length == 0 || name is "." or "..")
                {
                    continue;
                }

                if (!Directory.Exists(Path.Combine(pluginRoot, name)))
                {
                    log.Warn("no baked-in plugin with this name", ("file", file), LogField.Quoted("plugin", name));
                    continue;
                }

                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    internal static void ReplaceSymlink(string link, string target) => Common.IO.AtomicSymlink.Replace(link, target);
}
