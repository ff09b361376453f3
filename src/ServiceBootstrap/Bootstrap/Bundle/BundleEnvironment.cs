using System.Collections.Frozen;

namespace AiSandbox.ServiceBootstrap.Bundle;

/// <summary>
/// The environment bundler sees in the sandbox's shell: the <c>BUNDLE_*</c> exports of
/// container/rootfs/workspace/.bashrc and the image's <c>HOME</c> and locale (Containerfile <c>ENV</c>).
/// The boot-time bundle step runs under systemd, which passes none of them; without them bundler installs
/// into the image's system gem directory, which every container loses, so each sandbox installed the
/// project's gems again. With them it installs into <c>/bundle</c> (the host's <c>~/ai/bundle</c>), where
/// the shell's <c>bundle exec</c> finds them and the next sandbox's <c>bundle check</c> is satisfied. A
/// test reads both sources and compares, so the two cannot drift apart.
/// </summary>
internal static class BundleEnvironment
{
    public static readonly FrozenDictionary<string, string> Variables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["BUNDLE_PATH"] = "/bundle",
        ["BUNDLE_DEFAULT_CLI_COMMAND"] = "install",
        ["BUNDLE_IGNORE_FUNDING_REQUESTS"] = "1",
        ["BUNDLE_IGNORE_MESSAGES"] = "1",
        ["BUNDLE_SILENCE_ROOT_WARNING"] = "1",
        ["HOME"] = "/workspace",
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
