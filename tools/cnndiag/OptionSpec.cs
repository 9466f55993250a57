namespace MLNet.CnnDiagnostics.Cli;

/// <summary>One option a verb accepts: its name, how many values follow it, and the help line.</summary>
/// <param name="Name">The option without its dashes.</param>
/// <param name="Values">The placeholder names of its values (none for a flag; one ending in "..." takes one or more).</param>
/// <param name="Help">One line for the usage text.</param>
internal sealed record OptionSpec(string Name, string[] Values, string Help)
{
    public bool IsFlag => Values.Length == 0;

    public bool IsList => Values.Length == 1 && Values[0].EndsWith("...", StringComparison.Ordinal);

    public bool IsRequired => Help.EndsWith("(required)", StringComparison.Ordinal);

    public string Synopsis => IsFlag ? $"--{Name}" : $"--{Name} {string.Join(' ', Values)}";

    public static OptionSpec Flag(string name, string help) => new(name, [], help);

    public static OptionSpec Value(string name, string value, string help) => new(name, [value], help);
}
