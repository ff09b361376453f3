using AiSandbox.HostShim.Tests.FakePodman;

namespace AiSandbox.HostShim.Tests;

/// <summary>Bad input: one <c>at=fatal</c> line naming it, exit 1 (2 for an unusable profile name), and podman never asked anything.</summary>
[Collection(FakePodmanCollection.Name)]
public sealed class ValidationTests(FakePodmanBinary podman) : IDisposable
{
    private readonly Sandbox _s = new(podman);

    public void Dispose() => _s.Dispose();

    private Task<string> FatalAsync(params string[] args) => FatalAsync(1, args);

    private async Task<string> FatalAsync(int exitCode, params string[] args)
    {
        var result = await _s.InProcessAsync(args);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Empty(_s.Calls);
        var fatal = Assert.Single(result.StderrLines, l => l.StartsWith("at=fatal", StringComparison.Ordinal));
        Assert.Empty(result.Stdout);
        return fatal;
    }

    [Theory]
    [InlineData("--ports=abc", "at=fatal msg=\"invalid port spec\" spec=abc")] // 14
    [InlineData("--ports=65536", "at=fatal msg=\"invalid port spec\" spec=65536")]
    [InlineData("--ports=99999:80", "at=fatal msg=\"invalid port spec\" spec=99999:80")]
    [InlineData("--ports=0", "at=fatal msg=\"invalid port spec\" spec=0")]
    [InlineData("--ports=80:", "at=fatal msg=\"invalid port spec\" spec=80:")]
    [InlineData("--ports=1,,2", "at=fatal msg=\"invalid port spec\" spec=\"\"")]
    [InlineData("--ports=1:2:3", "at=fatal msg=\"invalid port spec\" spec=1:2:3")]
    [InlineData("--ports=300.1.1.1:2:3", "at=fatal msg=\"invalid port spec\" spec=300.1.1.1:2:3")]
    [InlineData("--ports=-1", "at=fatal msg=\"invalid port spec\" spec=-1")]
    public async Task Bad_port_specs_are_named(string arg, string expected)
    {
        Assert.Equal(expected, await FatalAsync(arg));
    }

    [Theory]
    [InlineData("--ports")] // 15
    [InlineData("--ports=")]
    public async Task Ports_without_a_value(string arg)
    {
        Assert.StartsWith("at=fatal msg=\"--ports requires an argument\"", await FatalAsync(arg), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--resume")]
    [InlineData("-r")]
    [InlineData("--resume=")]
    public async Task Resume_without_an_id(string arg)
    {
        Assert.StartsWith("at=fatal msg=\"--resume requires a session id\"", await FatalAsync(arg), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_named()
    {
        // 16
        Assert.Equal("at=fatal msg=\"unknown option\" option=\"--bogus\"", await FatalAsync("--bogus"));
    }

    [Fact]
    public async Task Missing_claude_profile_names_the_path()
    {
        // 17
        var path = Path.Combine(_s.AiDir, "settings", ".credentials.work.json");
        Assert.Equal($"at=fatal msg=\"claude profile not found\" profile=work path={path} run=\"ai login work\"", await FatalAsync("work"));
    }

    [Fact]
    public async Task Missing_codex_profile_names_the_path()
    {
        // 20
        var path = Path.Combine(_s.AiDir, "settings", "codex_alpha", "auth.json");
        Assert.Equal($"at=fatal msg=\"codex profile not found\" profile=alpha path={path} run=\"ai codex-login alpha\"", await FatalAsync("cx", "alpha"));
    }

    [Theory]
    [InlineData("a/b")] // 21
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData("../x")]
    [InlineData("sp ace")]
    [InlineData("_work")]
    [InlineData(".hidden")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task Invalid_codex_profile(string profile)
    {
        Assert.StartsWith("at=fatal msg=\"invalid codex profile\" profile=", await FatalAsync(2, "cx", profile), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("../../etc/passwd")]
    [InlineData("x$y")]
    [InlineData("_work")]
    [InlineData("a..b")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task Invalid_claude_profile_is_rejected_before_any_file_lookup(string profile)
    {
        Assert.StartsWith("at=fatal msg=\"invalid claude profile\" profile=", await FatalAsync(2, profile), StringComparison.Ordinal);
        Assert.StartsWith("at=fatal msg=\"invalid claude profile\" profile=", await FatalAsync(2, "c", profile), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("work", "cx")] // 22
    [InlineData("work", "other")] // 23
    [InlineData("c", "c")] // 39
    [InlineData("c", "cx")]
    [InlineData("cx", "codex")]
    [InlineData("claude", "claude")]
    [InlineData("work", "c")]
    public async Task Unexpected_second_word(string first, string second)
    {
        _s.AddClaudeProfile("work", DateTimeOffset.UtcNow.AddHours(5));
        Assert.Equal($"at=fatal msg=\"unexpected argument\" arg=\"{second}\"", await FatalAsync(first, second));
    }

    [Fact]
    public async Task Second_codex_profile_is_unexpected()
    {
        Assert.Equal("at=fatal msg=\"unexpected argument\" arg=\"b\"", await FatalAsync("cx", "a", "b"));
    }

    [Theory]
    [InlineData("--vm")]
    [InlineData("--keep-vm")]
    [InlineData("--gpu")] // 29
    [InlineData("--nested-virt")]
    [InlineData("--cpus")]
    [InlineData("--memory=4")]
    public async Task Vm_options_are_rejected_clearly(string option)
    {
        // 29, 30: the VM backend is out of scope; the message says so instead of "unknown option".
        var fatal = await FatalAsync(option);
        Assert.Contains("VM backend is not supported", fatal, StringComparison.Ordinal);
        Assert.Contains($"option=\"{option.Split('=')[0]}\"", fatal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bridge_options_are_rejected_clearly()
    {
        Assert.Contains("host bridges are not supported", await FatalAsync("--1password"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("70000")]
    [InlineData("0")]
    public async Task Invalid_PORT(string value)
    {
        _s.Env["PORT"] = value;
        Assert.Equal($"at=fatal msg=\"invalid PORT\" value={value}", await FatalAsync());
    }

    [Fact]
    public async Task Profile_checks_come_before_port_checks()
    {
        // The baseline's order: names, files, then ports.
        Assert.Contains("claude profile not found", await FatalAsync("--ports=abc", "work"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_podman_is_one_clear_error_naming_what_to_install()
    {
        _s.Env["PATH"] = "/nonexistent";
        var result = await _s.InProcessAsync([]);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("at=fatal msg=\"podman not found on PATH: install podman", line, StringComparison.Ordinal);
    }
}
