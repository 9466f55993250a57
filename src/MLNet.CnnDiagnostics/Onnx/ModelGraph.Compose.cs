using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    /// <summary>
    /// Chains two models into one graph: <paramref name="first"/>'s single output feeds <paramref name="second"/>'s image input
    /// (for example a preprocessing model in front of a CNN). Colliding tensor names of the first model are prefixed.
    /// Where the two use different opsets, the older model's nodes are rewritten for the newer opset.
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The older model uses an op whose meaning changed between the two opsets in a way that is not converted.</exception>
    public static ModelGraph Compose(ModelGraph first, ModelGraph second, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Proto.Graph.Output.Count != 1)
            throw new CnnDiagnosticsException($"model '{first.SourceName}' has {first.Proto.Graph.Output.Count} outputs; only a model with a single output can feed another.");
        var a = first.Proto.Clone();
        var b = second.Proto.Clone();
        long opsetA = OpsetUpgrade.Opset(a), opsetB = OpsetUpgrade.Opset(b);
        if (opsetA < opsetB) first.UpgradeCopy(a, opsetB);
        else if (opsetB < opsetA) second.UpgradeCopy(b, opsetA);
        var taken = new HashSet<string>(b.Graph.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(b.Graph.Initializer.Select(i => i.Name)).Concat(b.Graph.Input.Select(i => i.Name)));
        string Rename(string name) => name.Length == 0 || !taken.Contains(name) ? name : "pre_" + name;
        foreach (var n in a.Graph.Node)
        {
            for (int i = 0; i < n.Input.Count; i++) n.Input[i] = Rename(n.Input[i]);
            for (int i = 0; i < n.Output.Count; i++) n.Output[i] = Rename(n.Output[i]);
            if (taken.Contains(n.Name)) n.Name = "pre_" + n.Name;
        }
        foreach (var i in a.Graph.Initializer) i.Name = Rename(i.Name);
        foreach (var v in a.Graph.Input.Concat(a.Graph.Output).Concat(a.Graph.ValueInfo)) v.Name = Rename(v.Name);

        string bridge = a.Graph.Output[0].Name, target = second.ImageInput.Name;
        foreach (var n in b.Graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == target) n.Input[i] = bridge;
        for (int i = 0; i < b.Graph.Output.Count; i++)
            if (b.Graph.Output[i].Name == target) b.Graph.Output[i].Name = bridge;

        var merged = new GraphProto { Name = $"{a.Graph.Name}+{b.Graph.Name}" };
        merged.Input.AddRange(a.Graph.Input);
        merged.Input.AddRange(b.Graph.Input.Where(i => i.Name != target));
        merged.Initializer.AddRange(a.Graph.Initializer);
        merged.Initializer.AddRange(b.Graph.Initializer);
        merged.Node.AddRange(a.Graph.Node);
        merged.Node.AddRange(b.Graph.Node);
        merged.ValueInfo.AddRange(a.Graph.ValueInfo);
        merged.ValueInfo.Add(a.Graph.Output[0]);
        merged.ValueInfo.AddRange(b.Graph.ValueInfo);
        merged.Output.AddRange(b.Graph.Output);
        var model = new ModelProto
        {
            IrVersion = Math.Max(a.IrVersion, b.IrVersion),
            ProducerName = "MLNet.CnnDiagnostics",
            Graph = merged,
        };
        foreach (var domain in a.OpsetImport.Concat(b.OpsetImport).GroupBy(o => o.Domain is "ai.onnx" ? "" : o.Domain))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain.Key, Version = domain.Max(o => o.Version) });
        return new ModelGraph(model, sourceName ?? $"{first.SourceName} + {second.SourceName}");
    }

    /// <summary>Rewrites <paramref name="copy"/> (a clone of this model's protobuf) for opset <paramref name="target"/>, or throws naming the ops that cannot be carried over.</summary>
    private void UpgradeCopy(ModelProto copy, long target)
    {
        var unconvertible = OpsetUpgrade.Unconvertible(copy, target);
        if (unconvertible.Count > 0)
            throw new CnnDiagnosticsException(
                $"model '{SourceName}' uses opset {OpsetUpgrade.Opset(copy)} and cannot be raised to opset {target} of the model it is composed with: " +
                $"the meaning of {string.Join(", ", unconvertible)} changed between these opsets and is not converted; export both models with the same opset.");
        // before opset 13 Softmax flattened at its axis; the rewrite needs the rank of its input
        var shapes = copy.Graph.Node.Where(n => n.OpType is "Softmax" or "LogSoftmax" or "Hardmax").Select(n => n.Input[0]).Distinct()
            .Select(name => (name, GetTensorInfo(name).Shape)).Where(p => p.Shape is not null).ToDictionary(p => p.name, p => p.Shape!);
        OpsetUpgrade.Apply(copy, shapes, target);
    }
}
