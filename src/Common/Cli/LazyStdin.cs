namespace AiSandbox.Common.Cli;

/// <summary>
/// Standard input, opened on first read. Console.In sets up the terminal (terminfo, signal handling) when
/// it is created, which most commands never need and a launcher pays for at every start.
/// </summary>
internal sealed class LazyStdin : TextReader
{
    private TextReader? _in;

    private TextReader In => _in ??= Console.In;

    public override int Peek() => In.Peek();

    public override int Read() => In.Read();

    public override int Read(char[] buffer, int index, int count) => In.Read(buffer, index, count);

    public override string? ReadLine() => In.ReadLine();

    public override string ReadToEnd() => In.ReadToEnd();

    public override Task<string?> ReadLineAsync() => In.ReadLineAsync();

    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => In.ReadLineAsync(cancellationToken);

    public override Task<string> ReadToEndAsync() => In.ReadToEndAsync();
}
