using System.Reflection;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// The library's one op table: every <see cref="OpDefinition"/> of this assembly, by ONNX op type. The backward-graph
/// builder, the receptive-field calculator and the README's list of supported ops all read it.
/// </summary>
internal static class OpTable
{
    private static readonly Lazy<IReadOnlyDictionary<string, OpDefinition>> ByType = new(Discover);

    /// <summary>The definition of an op type, or null when the library does not know the op.</summary>
    public static OpDefinition? Find(string opType) => ByType.Value.GetValueOrDefault(opType);

    /// <summary>Every op type the table knows, sorted.</summary>
    public static IReadOnlyList<string> OpTypes => ByType.Value.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The op types that have a backward rule, sorted.</summary>
    public static IReadOnlyList<string> DifferentiableOpTypes => ByType.Value.Where(p => p.Value.Differentiable).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every definition (one per op family).</summary>
    public static IEnumerable<OpDefinition> Definitions => ByType.Value.Values.Distinct();

    private static IReadOnlyDictionary<string, OpDefinition> Discover()
    {
        var table = new Dictionary<string, OpDefinition>(StringComparer.Ordinal);
        var types = typeof(OpDefinition).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(OpDefinition)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var definition = (OpDefinition)Activator.CreateInstance(type)!;
            foreach (var op in definition.OpTypes)
                if (!table.TryAdd(op, definition))
                    throw new InvalidOperationException($"op '{op}' is defined twice: by {table[op].GetType().Name} and {type.Name}.");
        }
        return table;
    }
}
