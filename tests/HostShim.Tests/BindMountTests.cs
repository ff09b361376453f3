using AiSandbox.HostShim.Launch;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>Mount sources exist before podman runs, as what they are meant to be (field notes B5).</summary>
public sealed class BindMountTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_file_source_is_created_as_an_empty_private_file()
    {
        var path = _dir["a/b/.credentials.x.json"];
        new BindMount(path, "/x", Kind: MountKind.File).EnsureSource();
        Assert.True(File.Exists(path));
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void An_existing_file_is_left_alone()
    {
        var path = _dir["f"];
        File.WriteAllText(path, "keep");
        new BindMount(path, "/x", Kind: MountKind.File).EnsureSource();
        Assert.Equal("keep", File.ReadAllText(path));
    }

    [Fact]
    public void A_directory_where_a_file_is_meant_is_refused()
    {
        Directory.CreateDirectory(_dir["d"]);
        var e = Assert.Throws<FatalException>(() => new BindMount(_dir["d"], "/x", Kind: MountKind.File).EnsureSource());
        Assert.Equal("mount source is a directory, expected a file", e.Message);
    }

    [Fact]
    public void A_file_where_a_directory_is_meant_is_refused()
    {
        File.WriteAllText(_dir["f"], "");
        Assert.Throws<FatalException>(() => new BindMount(_dir["f"], "/x").EnsureSource());
    }

    [Fact]
    public void A_missing_directory_is_created_private()
    {
        new BindMount(_dir["x/y"], "/y").EnsureSource();
        Assert.True(Directory.Exists(_dir["x/y"]));
    }

    [Theory]
    [InlineData("/a b", "/app", false, new[] { "--volume", "/a b:/app" })]
    [InlineData("/r/claude", "/claude", true, new[] { "--volume", "/r/claude:/claude:ro" })]
    [InlineData("/a:b", "/app", false, new[] { "--mount", "type=bind,source=/a:b,destination=/app" })]
    [InlineData("/a:b,c", "/app", true, new[] { "--mount", "type=bind,\"source=/a:b,c\",destination=/app,readonly=true" })]
    public void Arguments(string source, string target, bool readOnly, string[] expected)
    {
        Assert.Equal(expected, new BindMount(source, target, readOnly).ToArguments());
    }

    [Theory]
    [InlineData("My Project", "my-project")]
    [InlineData("--x__y--", "x-y")]
    [InlineData("...", "workspace")]
    [InlineData("Ünïcode", "n-code")]
    public void Project_names(string dir, string expected)
    {
        Assert.Equal(expected, InstanceName.Project(dir));
    }

    [Fact]
    public void Long_project_names_keep_the_hostname_within_63_characters()
    {
        var project = InstanceName.Project(new string('a', 50) + "-" + new string('b', 50));
        var name = InstanceName.Choose(project, []);
        Assert.True(name.Length <= 63, name);
        Assert.False(project.EndsWith('-'));
    }
}
