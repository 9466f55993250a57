using System.Globalization;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>A parsed command line of one verb: <c>--name value</c> options, <c>--name v1 v2 ...</c> lists and flags.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    private CommandLine(string verb) => Verb = verb;

    public string Verb { get; }

    /// <summary>Parses the arguments after the verb against the verb's options; unknown, repeated or incomplete options are usage errors.</summary>
    public static CommandLine Parse(string verb, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var line = new CommandLine(verb);
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
                throw new UsageException($"unexpected argument '{token}': '{verb}' takes only options ({string.Join(", ", specs.Select(s => "--" + s.Name))}).");
            string name = token[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            if (!byName.TryGetValue(name, out var spec))
                throw new UsageException($"unknown option '--{name}' for '{verb}'; {ClosestNames.Suggest(name, specs.Select(s => s.Name))}; valid options: {string.Join(", ", specs.Select(s => "--" + s.Name))}.");
            if (line._values.ContainsKey(name))
                throw new UsageException($"option '--{name}' is given twice; give it once.");
            var values = new List<string>();
            if (inline is not null)
            {
                if (spec.IsFlag) throw new UsageException($"option '--{name}' is a flag and takes no value (got '{inline}').");
                values.AddRange(spec.IsList ? inline.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [inline]);
            }
            else if (!spec.IsFlag)
            {
                int max = spec.IsList ? int.MaxValue : spec.Values.Length;
                while (values.Count < max && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    values.Add(args[++i]);
                if (spec.IsList) values = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            }
            int needed = spec.IsList ? 1 : spec.Values.Length;
            if (values.Count < needed)
                throw new UsageException($"option '--{name}' needs {(spec.IsList ? "at least one value" : needed == 1 ? "a value" : $"{needed} values")} ({spec.Synopsis}), got {(values.Count == 0 ? "none" : string.Join(" ", values))}.");
            line._values[name] = values;
        }
        return line;
    }

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
