using AiSandbox.HostShim.Tests.FakePodman;
using AiSandbox.TestSupport;

namespace AiSandbox.HostShim.Tests;

/// <summary>
/// <c>container/build</c>, the image's one recipe, and <c>container/inputs-hash</c>, run from a scratch copy
/// of the repository with the fake podman, a stub <c>curl</c> standing for the registry (reachable or not)
/// and a stub <c>container/build-base</c> standing for debootstrap. The real build is booted by EndToEnd.
/// </summary>
[Collection(FakePodmanCollection.Name)]
public sealed class ContainerBuildTests : IDisposable
{
    private readonly TempDir _dir = new("aisandbox-container-build-");
    private readonly Dictionary<string, string?> _env;
    private readonly ScratchRepo _repo;

    public ContainerBuildTests(FakePodmanBinary podman)
    {
        _repo = new ScratchRepo(_dir);
        foreach (var file in new[] { "container/build", "container/inputs-hash", "scripts/lib.sh" })
        {
            _repo.CopyFromCheckout(file);
        }

        Write("container/Containerfile", "ARG BASE\nFROM ${BASE}\nRUN true\n");
        Write("container/setup", "#!/bin/sh\n", executable: true);
        Write("container/tools", "# one package a line\ngh\n");
        Write("container/rootfs/etc/motd", "hello\n");
        Write("container/ca/README.md", "not an input\n");
        Write("versions/claude-code", "1.0.0\n");
        Write("units/shell.service", "[Service]\n");
        Write("src/Common/Common.cs", "class C {}\n");
        Write("src/HostShim/Program.cs", "class P {}\n");
        Write("src/Common/bin/Release/x.dll", "build output\n");
        Write("artifacts/bin/refresh-tokens", "#!/bin/sh\n", executable: true);
        // The recipe asks publish where the image architecture's binaries are (./publish --image --print-out).
        Write("publish", "#!/bin/sh\necho artifacts/bin\n", executable: true);
        // debootstrap's stand-in: after it the image store has an image (the fake answers every inspect).
        Write("container/build-base", "#!/bin/sh\necho based \"$@\" >> \"$BASE_LOG\"\necho 123000000 > \"$FAKE_PODMAN_IMAGE_FILE\"\necho localhost/aisandbox-base:trixie\n",
            executable: true);
        Write("tools/curl", "#!/bin/sh\necho \"$@\" >> \"$CURL_LOG\"\nexit ${CURL_EXIT:-6}\n", executable: true);
        _env = new Dictionary<string, string?>
        {
            ["PATH"] = $"{Repo("tools")}:{podman.BinDir}:/usr/bin:/bin",
            ["FAKE_PODMAN_LOG"] = _dir["podman.log"],
            ["FAKE_PODMAN_IMAGE_FILE"] = _dir["image"],
            ["BASE_LOG"] = _dir["base.log"],
            ["CURL_LOG"] = _dir["curl.log"],
        };
    }

    public void Dispose() => _dir.Dispose();

    private string Repo(string relative) => _repo.Path(relative);

    private void Write(string relative, string content, bool executable = false) => _repo.Write(relative, content, executable);

    private Task<ProcessResult> BuildAsync(params string[] args) =>
        Run.ProcessAsync(Repo("container/build"), args, _env, cwd: _dir.Path);

    private async Task<string> HashAsync()
    {
        var result = await Run.ProcessAsync(Repo("container/inputs-hash"), [], _env, cwd: _dir.Path);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Assert.Single(result.StdoutLines);
    }

    private IReadOnlyList<PodmanCall> Calls => PodmanCall.Read(_dir["podman.log"]);

    private PodmanCall BuildCall => Assert.Single(Calls, c => c.Command == "build");

    [Fact]
    public async Task No_registry_answering_takes_the_debootstrap_base_without_a_flag_and_labels_the_inputs()
    {
        var hash = await HashAsync();
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("at=info msg=\"no container registry reachable: the base comes from the Debian mirror\"", result.StderrLines);
        Assert.Equal("based\n", File.ReadAllText(_dir["base.log"]));
        Assert.Contains("--connect-timeout 3", File.ReadAllText(_dir["curl.log"]), StringComparison.Ordinal);
        Assert.DoesNotContain(Calls, c => c.Command == "pull");
        var args = string.Join(' ', BuildCall.Args);
        Assert.Contains("--build-arg BASE=localhost/aisandbox-base:trixie --build-arg AMQP=auto", args, StringComparison.Ordinal);
        Assert.Contains($"--label org.aisandbox.inputs={hash} --label org.aisandbox.options=base=auto amqp=auto mitmproxy=debian -t localhost/ai:{hash} -t localhost/ai:latest",
            args, StringComparison.Ordinal);
        Assert.Contains("--pull=never", BuildCall.Args);
        Assert.Equal($"localhost/ai:{hash}", result.StdoutLines[^1]);
        // The size closes the build's output.
        Assert.Matches("^at=info msg=\"image built\" image=localhost/ai:latest .* size_mb=123$", result.StderrLines[^1]);
    }

    [Fact]
    public async Task A_registry_that_answers_gives_the_base()
    {
        _env["CURL_EXIT"] = "0";
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["pull", "--quiet", "docker.io/library/debian:trixie"], Assert.Single(Calls, c => c.Command == "pull").Args);
        Assert.Contains("BASE=docker.io/library/debian:trixie", BuildCall.Args);
        Assert.DoesNotContain("--pull=never", BuildCall.Args);
        Assert.False(File.Exists(_dir["base.log"]));
        Assert.Matches("^at=info msg=\"image built\" image=localhost/ai:latest .* size_mb=[0-9]+$", result.StderrLines[^1]);
    }

    [Fact]
    public async Task A_fresh_base_is_pulled_again_even_when_present()
    {
        // The fake answers every "image exists" with yes: without --fresh-base the present base is taken as it is.
        File.WriteAllText(_dir["image"], "123000000\n");
        _env["CURL_EXIT"] = "0";
        var result = await BuildAsync("--no-cache", "--fresh-base");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["pull", "--quiet", "docker.io/library/debian:trixie"], Assert.Single(Calls, c => c.Command == "pull").Args);
        Assert.Contains("--no-cache", BuildCall.Args);
        Assert.Matches("^at=info msg=\"image built\" .* size_mb=123$", result.StderrLines[^1]);
    }

    [Fact]
    public async Task A_fresh_base_without_a_registry_is_debootstrapped_again()
    {
        File.WriteAllText(_dir["image"], "123000000\n");
        var result = await BuildAsync("--no-cache", "--fresh-base");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("based --force\n", File.ReadAllText(_dir["base.log"]));
        Assert.DoesNotContain(Calls, c => c.Command == "pull");
        Assert.Matches("^at=info msg=\"image built\" .* size_mb=123$", result.StderrLines[^1]);
    }

    [Fact]
    public async Task Offline_asks_no_registry_and_installs_RabbitMQ()
    {
        var result = await BuildAsync("--offline");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(_dir["curl.log"]));
        Assert.Contains("AMQP=rabbitmq", BuildCall.Args);
        Assert.Contains("BASE=localhost/aisandbox-base:trixie", BuildCall.Args);
        Assert.Contains("org.aisandbox.options=base=debian-mirror amqp=rabbitmq mitmproxy=debian", BuildCall.Args);
    }

    private const string OptionsFormat = "{{index .Labels \"org.aisandbox.options\"}}";

    [Fact]
    public async Task Layers_only_builds_the_recipe_up_to_its_line_without_binaries_tags_or_labels()
    {
        Write("container/Containerfile", "ARG BASE\nFROM ${BASE}\nRUN apt-get install gh\n# --- layers-only ---\nCOPY artifacts/bin/ /usr/local/bin/\n");
        File.Delete(Repo("artifacts/bin/refresh-tokens"));
        // The recipe podman is given is read before the build's context goes.
        Write("tools/podman", $"#!/bin/sh\n[ \"$1\" != build ] || cp \"$(echo \"$@\" | sed 's/.* -f \\([^ ]*\\).*/\\1/')\" {_dir["recipe"]}\nexec {Path.Combine(_env["PATH"]!.Split(':')[1], "podman")} \"$@\"\n",
            executable: true);
        var result = await BuildAsync("--layers-only");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("ARG BASE\nFROM ${BASE}\nRUN apt-get install gh\n", File.ReadAllText(_dir["recipe"]));
        Assert.DoesNotContain(BuildCall.Args, a => a is "-t" or "--label");
        Assert.Empty(result.StdoutLines);
        Assert.StartsWith("at=info msg=\"image layers built\"", result.StderrLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Layers_only_does_nothing_when_the_image_of_these_inputs_exists()
    {
        File.WriteAllText(_dir["image"], $"123000000\n{OptionsFormat}\tbase=auto amqp=auto mitmproxy=debian\n");
        var result = await BuildAsync("--layers-only");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(Calls, c => c.Command is "build" or "tag");
    }

    [Fact]
    public async Task An_image_of_the_same_inputs_is_reused_and_retagged_not_rebuilt()
    {
        File.WriteAllText(_dir["image"], $"123000000\n{OptionsFormat}\tbase=auto amqp=auto mitmproxy=debian\n");
        var hash = await HashAsync();
        var result = await BuildAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(Calls, c => c.Command == "build");
        Assert.Equal(["tag", $"localhost/ai:{hash}", "localhost/ai:latest"], Assert.Single(Calls, c => c.Command == "tag").Args);
        Assert.Equal($"at=info msg=\"image up to date\" image=localhost/ai:latest inputs={hash} size_mb=123", result.StderrLines[^1]);
        Assert.Equal($"localhost/ai:{hash}", result.StdoutLines[^1]);
    }

    [Fact]
    public async Task Rebuild_builds_an_image_of_the_same_inputs_again_on_the_layer_cache()
    {
        // ./build_image --force: the layers were just built afresh (--layers-only --no-cache); the image is made on them.
        File.WriteAllText(_dir["image"], $"123000000\n{OptionsFormat}\tbase=auto amqp=auto mitmproxy=debian\n");
        var result = await BuildAsync("--rebuild");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("--no-cache", BuildCall.Args);
        Assert.DoesNotContain(Calls, c => c.Command == "tag");
    }

    [Fact]
    public async Task An_image_of_the_same_inputs_made_with_other_options_is_rebuilt()
    {
        File.WriteAllText(_dir["image"], $"123000000\n{OptionsFormat}\tbase=auto amqp=auto mitmproxy=debian\n");
        var result = await BuildAsync("--mitmproxy", "none");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("org.aisandbox.options=base=auto amqp=auto mitmproxy=none", BuildCall.Args);
    }

    [Fact]
    public async Task The_inputs_hash_follows_what_the_image_is_made_of_and_nothing_else()
    {
        var before = await HashAsync();
        Assert.Equal(before, (await BuildAsync("--print-inputs-hash")).StdoutLines[^1]);

        // Not inputs: the host shim, build output, a non-certificate in container/ca, the tests.
        Write("src/HostShim/Program.cs", "class P { int x; }\n");
        Write("src/Common/obj/project.assets.json", "{}\n");
        Write("container/ca/README.md", "changed\n");
        Write("tests/T.cs", "class T {}\n");
        Assert.Equal(before, await HashAsync());

        Write("src/Common/Common.cs", "class C { int y; }\n");
        var source = await HashAsync();
        Assert.NotEqual(before, source);
        File.SetUnixFileMode(Repo("container/rootfs/etc/motd"), (UnixFileMode)0b111_101_101);
        var mode = await HashAsync();
        Assert.NotEqual(source, mode);
        Write("container/ca/company.crt", "-----BEGIN CERTIFICATE-----\n");
        Assert.NotEqual(mode, await HashAsync());
    }
}
