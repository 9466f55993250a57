namespace MLNet.CnnDiagnostics.Cli;

/// <summary>One <c>cnndiag</c> sub-command: its options, its usage text, and what it does.</summary>
internal abstract class Verb
{
    /// <summary>Options every verb accepts.</summary>
    public static readonly IReadOnlyList<OptionSpec> CommonOptions =
    [
        OptionSpec.Flag("quiet", "no progress bar"),
        OptionSpec.Flag("verbose", "on failure, print the exception's stack trace"),
        OptionSpec.Flag("help", "print this help"),
    ];

    public abstract string Name { get; }

    /// <summary>One line for the list of verbs.</summary>
    public abstract string Summary { get; }

    /// <summary>The verb's own options (the common ones are added).</summary>
    public abstract IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>The list option that bare arguments (not after an option) fill, or null when the verb takes only options.</summary>
    public virtual string? Positional => null;

    /// <summary>Extra lines printed under the options in the verb's help.</summary>
    public virtual string Notes => "";

    public IReadOnlyList<OptionSpec> AllOptions => [.. Options, .. CommonOptions];

    public string Usage()
    {
        var lines = new List<string> { $"usage: cnndiag {Name} {string.Join(' ', Options.Select(o => o.IsRequired ? o.Synopsis : $"[{o.Synopsis}]"))}", "", Summary, "", "options:" };
        int width = AllOptions.Max(o => o.Synopsis.Length);
        lines.AddRange(AllOptions.Select(o => $"  {o.Synopsis.PadRight(width)}  {o.HelpText}"));
        if (Notes.Length > 0) lines.AddRange(["", Notes]);
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Does the work; returns the exit code (0 on success). Throws <see cref="UsageException"/> for command-line mistakes.</summary>
    public abstract int Run(CommandLine line, Terminal terminal);
}
