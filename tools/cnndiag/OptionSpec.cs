namespace MLNet.CnnDiagnostics.Cli;

/// <summary>One option a verb accepts: its name, how many values follow it, whether it must be given, and the help line.</summary>
/// <param name="Name">The option without its dashes.</param>
/// <param name="Values">The placeholder names of its values (none for a flag; one ending in "..." takes one or more).</param>
/// <param name="Help">One line for the usage text ("(required)" is added to it for a required option).</param>
internal sealed record OptionSpec(string Name, string[] Values, string Help)
{
    /// <summary>The verb cannot run without it: the usage shows it without brackets and its help line ends in "(required)".</summary>
    public bool IsRequired { get; init; }

    public bool IsFlag => Values.Length == 0;

    public bool IsList => Values.Length == 1 && Values[0].EndsWith("...", StringComparison.Ordinal);

    public string Synopsis => IsFlag ? $"--{Name}" : $"--{Name} {string.Join(' ', Values)}";

    /// <summary>The help line as printed.</summary>
    public string HelpText => IsRequired ? Help + " (required)" : Help;

    public static OptionSpec Flag(string name, string help) => new(name, [], help);

    public static OptionSpec Value(string name, string value, string help) => new(name, [value], help);

    public static OptionSpec Required(string name, string value, string help) => new(name, [value], help) { IsRequired = true };
}
