using System.Reflection;
using System.Reflection.Emit;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>
/// The graph layer owns the ONNX protobuf classes: only files in src/MLNet.CnnDiagnostics/Onnx/ may name their namespace;
/// everything else reads graphs through GraphNode and edits them through GraphRewriter. Inside the layer, the compiled
/// library is read instruction by instruction: only GraphRewriter changes a protobuf message (a property setter, a Clear,
/// a MergeFrom, or an Add/Insert/Remove/Clear on one of its repeated fields), apart from the encoders that fill in a
/// message they have just made for a new constant or attribute; and only ModelGraph (Load) and GraphRewriter (Parse)
/// parse ONNX bytes.
/// </summary>
[TestClass]
public sealed class GraphLayerBoundaryTests
{
    private const string ProtobufNamespace = "MLNet.CnnDiagnostics.Onnx.Proto";

    // GraphTensor.Int64/Float and GraphAttribute.ToProto build new messages for values; they edit no graph.
    private static readonly HashSet<string> Encoders = ["GraphTensor.Int64", "GraphTensor.Float", "GraphAttribute.ToProto"];

    private static readonly HashSet<string> RepeatedFieldMutators = ["Add", "AddRange", "Insert", "Remove", "RemoveAt", "Clear", "set_Item"];

    [TestMethod]
    public void OnlyTheGraphLayerNamesTheProtobufClasses()
    {
        string root = Zoo.Zoo.RepositoryRoot();
        string graphLayer = Path.Combine(root, "src", "MLNet.CnnDiagnostics", "Onnx") + Path.DirectorySeparatorChar;
        var scanned = new[] { "src", "tools", "samples", "bench" }
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .ToList();
        Assert.IsTrue(scanned.Count(f => f.StartsWith(graphLayer, StringComparison.Ordinal)) > 5, "the scan did not find the graph layer's own files; is the repository root right?");
        var offenders = scanned
            .Where(f => !f.StartsWith(graphLayer, StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains(ProtobufNamespace, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.AreEqual(0, offenders.Count, $"files outside src/MLNet.CnnDiagnostics/Onnx/ name {ProtobufNamespace}: {string.Join(", ", offenders)}");
    }

    [TestMethod]
    public void OnlyGraphRewriterChangesProtobufMessages()
    {
        var mutating = CallersOf(IsProtobufMutator);
        // the scan must see the rewriter's own edits, or it proves nothing
        Assert.IsTrue(mutating.Count(m => m.StartsWith("GraphRewriter.", StringComparison.Ordinal)) > 10,
            $"the IL scan found too few protobuf edits in GraphRewriter: {string.Join(", ", mutating)}");
        var strays = mutating.Where(m => !m.StartsWith("GraphRewriter.", StringComparison.Ordinal) && !Encoders.Contains(m)).ToList();
        Assert.AreEqual(0, strays.Count, $"methods outside GraphRewriter that change protobuf messages (make the edit a GraphRewriter operation): {string.Join(", ", strays)}");
    }

    [TestMethod]
    public void OnlyModelGraphAndGraphRewriterParseOnnxBytes()
    {
        var parsing = CallersOf(m => m.DeclaringType is { IsGenericType: true } t && t.GetGenericTypeDefinition().FullName == "Google.Protobuf.MessageParser`1"
            && m.Name.StartsWith("ParseFrom", StringComparison.Ordinal));
        CollectionAssert.AreEquivalent(new[] { "GraphRewriter.Parse", "ModelGraph.Load" }, parsing.ToArray(), string.Join(", ", parsing));
    }

    private static bool IsProtobufMutator(MethodBase m)
    {
        var type = m.DeclaringType;
        if (type is null) return false;
        if (type.Namespace == ProtobufNamespace)
            return m.Name.StartsWith("set_", StringComparison.Ordinal) || m.Name.StartsWith("Clear", StringComparison.Ordinal) || m.Name == "MergeFrom";
        return type.IsGenericType && type.GetGenericTypeDefinition().FullName is "Google.Protobuf.Collections.RepeatedField`1" or "Google.Protobuf.Collections.MapField`2"
            && RepeatedFieldMutators.Contains(m.Name);
    }

    /// <summary>"Type.Method" (the outermost declaring type, so lambdas and local functions count for their method's type) of every library method outside the generated protobuf classes whose IL calls a method <paramref name="target"/> accepts.</summary>
    private static SortedSet<string> CallersOf(Func<MethodBase, bool> target)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var assembly = typeof(ModelGraph).Assembly;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes().Where(t => t.Namespace != ProtobufNamespace))
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
                if (CalledMethods(method).Any(target))
                    found.Add($"{Outermost(type).Name}.{OwnerName(method)}");
        return found;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    // a lambda or local function is named "<Owner>b__0_1" / "<Owner>g__Local|3_0": its owner's name is between '<' and '>'
    private static string OwnerName(MethodBase method) =>
        method.Name.StartsWith('<') && method.Name.IndexOf('>') is > 1 and var end ? method.Name[1..end] : method.Name;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every method a method body calls, constructs with or takes a delegate of (call, callvirt, newobj, ldftn, ldvirtftn).</summary>
    private static IEnumerable<MethodBase> CalledMethods(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (op.OperandType == OperandType.InlineMethod)
                yield return method.Module.ResolveMethod(BitConverter.ToInt32(il, at), typeArgs, methodArgs)!;
            at += operand;
        }
    }
}
