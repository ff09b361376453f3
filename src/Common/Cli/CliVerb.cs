namespace AiSandbox.Common.Cli;

/// <summary>
/// One entry of a multi-call program's command table: the name it answers to (as argv[0] or as the first
/// word), what its line in the program's usage says, and what runs it.
/// </summary>
/// <param name="Args">What the usage shows after the name (<c>[profile]</c>), if anything.</param>
/// <param name="Aliases">Other names for the same command (<c>l</c> for <c>claude-login</c>).</param>
public sealed record CliVerb(string Name, string Summary, Func<CommandContext, Task<int>> Run, string Args = "", params string[] Aliases)
{
    internal bool Answers(string word)
    {
        if (word == Name)
        {
            return true;
        }

        foreach (var alias in Aliases)
        {
            if (word == alias)
            {
                return true;
            }
        }

        return false;
    }
}
