using System.Text.RegularExpressions;
using AiSandbox.ServiceBootstrap.Bundle;
using AiSandbox.ServiceBootstrap.Catalog;
using AiSandbox.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiSandbox.ServiceBootstrap.Tests.Bundle;

/// <summary>
/// The boot-time bundler sees the environment the shell's <c>bundle exec</c> sees, read from the two
/// sources of that environment (the shell's .bashrc and the image's ENV), so a change to either that the
/// bundle step does not follow fails here.
/// </summary>
public sealed partial class BundleEnvironmentTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every <c>export BUNDLE_*=</c> and <c>GEM_*=</c> line of the sandbox shell's .bashrc.</summary>
    private static Dictionary<string, string> ShellBundleExports()
    {
        var bashrc = File.ReadAllLines(Path.Combine(RepoPaths.Root, "container", "rootfs", "workspace", ".bashrc"));
        var exports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in bashrc)
        {
            if (ExportLine().Match(line.Trim()) is { Success: true } m)
            {
                exports[m.Groups[1].Value] = m.Groups[2].Value.Trim('"', '\'');
            }
        }

        return exports;
    }

    /// <summary>The image's ENV instructions (every container process starts with them, the shell included).</summary>
    private static Dictionary<string, string> ImageEnv()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "container", "Containerfile"));
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("ENV ", StringComparison.Ordinal))
            {
                continue;
            }

            var text = lines[i][4..];
            while (text.TrimEnd().EndsWith('\\') && i + 1 < lines.Length)
            {
                text = text.TrimEnd()[..^1] + " " + lines[++i];
            }

            foreach (Match m in EnvPair().Matches(text))
            {
                env[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
            }
        }

        return env;
    }

    [Fact]
    public void The_sources_still_hold_what_the_test_compares()
    {
        // A parser that finds nothing would make the comparison below vacuous.
        Assert.Equal("/bundle", ShellBundleExports()["BUNDLE_PATH"]);
        Assert.Equal("/workspace", ImageEnv()["HOME"]);
    }

    [Fact]
    public async Task Bundler_runs_with_the_shells_bundle_variables_and_the_images_environment()
    {
        Directory.CreateDirectory(_dir["app"]);
        File.WriteAllText(_dir["app/Gemfile"], "source 'https://rubygems.org'\n");
        File.WriteAllText(_dir["bundle"], $"#!/bin/sh\nenv > \"{_dir["env"]}\"\nexit 0\n");
        File.SetUnixFileMode(_dir["bundle"], (UnixFileMode)0x1ED);
        var step = new BundleStep(new BundleOptions { Gemfile = _dir["app/Gemfile"], LockPath = _dir["shared/.install.lock"], Command = _dir["bundle"] },
            TimeProvider.System, NullLogger.Instance);

        var outcome = await step.RunAsync(_ => { }, CancellationToken.None);

        Assert.Equal("ready", outcome.State);
        var seen = File.ReadAllLines(_dir["env"]).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var expected = ShellBundleExports().Concat(ImageEnv()).ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in expected)
        {
            Assert.True(seen.TryGetValue(name, out var got) && got == value, $"bundler's {name} is \"{got}\", the shell's \"{value}\"");
        }

        // Nothing bundle-related that the shell does not set either (BUNDLE_GEMFILE only names the project's Gemfile).
        Assert.DoesNotContain(seen.Keys, k => (k.StartsWith("BUNDLE_", StringComparison.Ordinal) || k.StartsWith("GEM_", StringComparison.Ordinal))
            && k != "BUNDLE_GEMFILE" && !expected.ContainsKey(k));
        Assert.Equal(_dir["app/Gemfile"], seen["BUNDLE_GEMFILE"]);
    }

    [GeneratedRegex(@"^export\s+((?:BUNDLE|GEM)_[A-Z0-9_]+)=(.*)$")]
    private static partial Regex ExportLine();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S+)")]
    private static partial Regex EnvPair();
}
