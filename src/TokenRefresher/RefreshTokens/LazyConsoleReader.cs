namespace AiSandbox.TokenRefresher;

/// <summary>
/// Console.In, created on first read. Creating Console.In on a terminal loads terminfo and sets up the
/// terminal, a measurable share of a one-shot command that never reads its input.
/// </summary>
internal sealed class LazyConsoleReader : TextReader
{
    private readonly Lazy<TextReader> _in = new(() => Console.In);

    public override int Peek() => _in.Value.Peek();

    public override int Read() => _in.Value.Read();

    public override string? ReadLine() => _in.Value.ReadLine();

    public override Task<string?> ReadLineAsync() => _in.Value.ReadLineAsync();

    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => _in.Value.ReadLineAsync(cancellationToken);

    public override string ReadToEnd() => _in.Value.ReadToEnd();
}
