using System.Collections.Frozen;

namespace AiSandbox.ServiceBootstrap.Bundle;

/// <summary>
/// The environment bundler sees in the sandbox's shell: the <c>BUNDLE_*</c> exports of
/// container/rootfs/workspace/.bashrc and the image's <c>ENV</c> (home, locale, the CA bundle Node trusts, and
/// puppeteer on the system Chromium: a gem that runs node or a browser at install time sees what the shell sees).
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
        ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/ca-certificates.crt",
        ["PUPPETEER_SKIP_DOWNLOAD"] = "1",
        ["PUPPETEER_EXECUTABLE_PATH"] = "/usr/bin/chromium",
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
