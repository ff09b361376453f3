namespace AiSandbox.HostShim.Launch;

/// <summary>What a bind-mount source is meant to be; podman would create a missing one as a directory.</summary>
internal enum MountKind
{
    Directory,
    File,
}

/// <summary>One host path mounted into the sandbox.</summary>
internal sealed record BindMount(string Source, string Target, bool ReadOnly = false, MountKind Kind = MountKind.Directory)
{
    /// <summary>
    /// The podman arguments. <c>--volume</c> as the baseline, unless a path holds a colon, which
    /// <c>--volume</c> cannot express; then <c>--mount</c>, whose CSV syntax quotes a field holding a comma.
    /// </summary>
    public IEnumerable<string> ToArguments()
    {
        if (!Source.Contains(':', StringComparison.Ordinal) && !Target.Contains(':', StringComparison.Ordinal))
        {
            yield return "--volume";
            yield return ReadOnly ? $"{Source}:{Target}:ro" : $"{Source}:{Target}";
            yield break;
        }

        yield return "--mount";
        var fields = new List<string> { "type=bind", Csv("source=" + Source), Csv("destination=" + Target) };
        if (ReadOnly)
        {
            fields.Add("readonly=true");
        }

        yield return string.Join(',', fields);
    }

    /// <summary>
    /// Creates the source when missing: directories 0700, files empty and 0600. An existing path of the
    /// other kind is an error, never silently mounted.
    /// </summary>
    public void EnsureSource()
    {
        if (Kind == MountKind.Directory)
        {
            if (File.Exists(Source))
            {
                throw new FatalException("mount source is a file, expected a directory", ("path", Source));
            }

            Common.IO.AtomicFile.EnsureDirectory(Source);
            return;
        }

        if (Directory.Exists(Source))
        {
            throw new FatalException("mount source is a directory, expected a file", ("path", Source));
        }

        if (!File.Exists(Source))
        {
            Common.IO.AtomicFile.EnsureDirectory(Path.GetDirectoryName(Source) ?? "/");
            using var created = new FileStream(Source, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = Common.IO.AtomicFile.PrivateFile,
            });
        }
    }

    private static string Csv(string field) =>
        field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal)
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
}
