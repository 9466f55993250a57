using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>A parsed command line of one verb: <c>--name value</c> options, <c>--name v1 v2 ...</c> lists and flags, read with System.CommandLine.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    private CommandLine(string verb) => Verb = verb;

    public string Verb { get; }

    /// <summary>
    /// Parses the arguments after the verb against the verb's options; unknown, repeated or incomplete options are usage errors.
    /// System.CommandLine tokenises the arguments and recognises the options (including <c>--name=value</c>); the walk
    /// below then takes each option's values in order, so every message names the first bad argument as it was typed.
    /// </summary>
    public static CommandLine Parse(string verb, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs, string? positional = null)
    {
        var command = new Command(verb);
        var specOf = new Dictionary<Option, OptionSpec>();
        foreach (var spec in specs)
        {
            // values are counted below, so the parser is told only the most an option takes; requiredness is the verb's
            var option = new Option<string[]>("--" + spec.Name)
            {
                Arity = new ArgumentArity(0, spec.IsFlag ? 0 : spec.IsList ? ArgumentArity.ZeroOrMore.MaximumNumberOfValues : spec.Values.Length),
                AllowMultipleArgumentsPerToken = true,
            };
            command.Options.Add(option);
            specOf[option] = spec;
        }
        // no response files: an image named @list.txt is a file name, not a list of arguments
        var parsed = command.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

        var byAlias = specs.ToDictionary(s => "--" + s.Name, StringComparer.Ordinal);
        var line = new CommandLine(verb);
        var owner = new Dictionary<Token, OptionSpec>(ReferenceEqualityComparer.Instance);
        foreach (var result in parsed.CommandResult.Children.OfType<OptionResult>())
            foreach (var token in result.Tokens) owner[token] = specOf[result.Option];

        OptionSpec? current = null;
        List<string>? values = null;
        var bare = new List<string>();
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.Command) continue;
            if (token.Type == TokenType.Option && byAlias.TryGetValue(token.Value, out var spec))
            {
                Finish(current, values, line);
                if (line._values.ContainsKey(spec.Name) || current?.Name == spec.Name)
                    throw new UsageException($"option '--{spec.Name}' is given twice; give it once.");
                (current, values) = (spec, []);
                continue;
            }
            string text = token.Value;
            if (current is not null && owner.TryGetValue(token, out var of) && of == current && !text.StartsWith("--", StringComparison.Ordinal))
            {
                if (current.IsFlag) throw new UsageException($"option '--{current.Name}' is a flag and takes no value (got '{text}').");
                values!.AddRange(current.IsList ? Split(text) : [text]);
                continue;
            }
            Finish(current, values, line);
            (current, values) = (null, null);
            if (positional is not null && token.Type == TokenType.Argument && !text.StartsWith('-'))
            {
                bare.AddRange(Split(text));
                continue;
            }
            FailOn(verb, text, args, specs);
        }
        Finish(current, values, line);
        if (bare.Count > 0)
        {
            // bare arguments and the option they stand for fill one list
            if (line._values.TryGetValue(positional!, out var given)) given.AddRange(bare);
            else line._values[positional!] = bare;
        }
        return line;
    }

    private static void Finish(OptionSpec? spec, List<string>? values, CommandLine line)
    {
        if (spec is null) return;
        int needed = spec.IsFlag ? 0 : spec.IsList ? 1 : spec.Values.Length;
        if (values!.Count < needed)
            throw new UsageException($"option '--{spec.Name}' needs {(spec.IsList ? "at least one value" : needed == 1 ? "a value" : $"{needed} values")} ({spec.Synopsis}), got {(values.Count == 0 ? "none" : string.Join(" ", values))}.");
        line._values[spec.Name] = values;
    }

    // a token no option took: a flag's inline value, an unknown option, or a stray argument
    private static void FailOn(string verb, string text, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var inlineFlag = args.Select(a => a.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[1] == text && specs.Any(s => s.IsFlag && "--" + s.Name == p[0]));
        if (inlineFlag is not null)
            throw new UsageException($"option '{inlineFlag[0]}' is a flag and takes no value (got '{text}').");
        if (text.StartsWith("--", StringComparison.Ordinal) && text.Length > 2)
        {
            string name = text[2..].Split('=', 2)[0];
            throw new UsageException($"unknown option '--{name}' for '{verb}'; {ClosestNames.Suggest(name, specs.Select(s => s.Name))}; valid options: {string.Join(", ", specs.Select(s => "--" + s.Name))}.");
        }
        throw new UsageException($"unexpected argument '{text}': '{verb}' takes only options ({string.Join(", ", specs.Select(s => "--" + s.Name))}).");
    }

    private static IEnumerable<string> Split(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v[0] : null;

    public string RequiredString(string name) => String(name) ?? throw new UsageException($"option '--{name}' is required for '{Verb}'.");

    public IReadOnlyList<string>? List(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public int? Int(string name, int min, int max = int.MaxValue)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return ParseInt(name, v[0], min, max);
    }

    public int[]? Ints(string name, int min, int max = int.MaxValue) =>
        _values.TryGetValue(name, out var v) ? v.Select(s => ParseInt(name, s, min, max)).ToArray() : null;

    public double? Double(string name, double min, double max)
    {
        if (!_values.TryGetValue(name, out var v)) return null;
        return ParseDouble(name, v[0], min, max);
    }

    /// <summary>Decimal numbers that fit a 32-bit float (what the model computes in); a larger magnitude is a usage error.</summary>
    public float[]? Floats(string name) =>
        _values.TryGetValue(name, out var v) ? v.Select(s => (float)ParseDouble(name, s, -float.MaxValue, float.MaxValue)).ToArray() : null;

    /// <summary>One of a fixed set of words (case-insensitive); anything else is a usage error listing the choices.</summary>
    public string? Choice(string name, IReadOnlyList<string> choices)
    {
        string? value = String(name);
        if (value is null) return null;
        var match = choices.FirstOrDefault(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new UsageException($"'--{name} {value}' is not valid; choose one of: {string.Join(", ", choices)}.");
    }

    private static int ParseInt(string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            // a whole number too large for the option is out of range, not "not an integer"
            if (System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                throw new UsageException($"'--{name} {text}' is out of range; expected a whole number{Range(min, max)}.");
            throw new UsageException($"'--{name} {text}' is not an integer; expected a whole number{Range(min, max)}.");
        }
        if (value < min || value > max)
            throw new UsageException($"'--{name} {text}' is out of range; expected a whole number{Range(min, max)}.");
        return value;
    }

    private static double ParseDouble(string name, string text, double min, double max)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new UsageException($"'--{name} {text}' is not a number; expected a finite decimal number such as 0.5{Range(min, max)}.");
        if (value < min || value > max)
            throw new UsageException($"'--{name} {text}' is out of range; expected a number{Range(min, max)}.");
        return value;
    }

    private static string Range(double min, double max) =>
        (min, max) switch
        {
            (double.MinValue or int.MinValue, double.MaxValue or int.MaxValue) => "",
            (-float.MaxValue, float.MaxValue) => $" of magnitude at most {float.MaxValue.ToString(CultureInfo.InvariantCulture)} (a 32-bit float)",
            (_, double.MaxValue or int.MaxValue) => $" of at least {min.ToString(CultureInfo.InvariantCulture)}",
            _ => $" from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        };
}
