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
        var a = new GraphRewriter(first);
        var b = new GraphRewriter(second);
        long opsetA = a.OpsetVersion, opsetB = b.OpsetVersion;
        if (opsetA < opsetB) first.Upgrade(a, opsetB);
        else if (opsetB < opsetA) second.Upgrade(b, opsetA);
        return GraphRewriter.Chain(a, b, second.ImageInput.Name).Finish(sourceName ?? $"{first.SourceName} + {second.SourceName}");
    }

    /// <summary>Raises <paramref name="copy"/> (a rewriter over this model) to opset <paramref name="target"/>, or throws naming the ops that cannot be carried over.</summary>
    private void Upgrade(GraphRewriter copy, long target)
    {
        var unconvertible = copy.UnconvertibleOps(target);
        if (unconvertible.Count > 0)
            throw new CnnDiagnosticsException(
                $"model '{SourceName}' uses opset {copy.OpsetVersion} and cannot be raised to opset {target} of the model it is composed with: " +
                $"the meaning of {string.Join(", ", unconvertible)} changed between these opsets and is not converted; export both models with the same opset.");
        // before opset 13 Softmax flattened at its axis; the rewrite needs the rank of its input
        var shapes = Proto.Graph.Node.Where(n => n.OpType is "Softmax" or "LogSoftmax" or "Hardmax").Select(n => n.Input[0]).Distinct()
            .Select(name => (name, GetTensorInfo(name).Shape)).Where(p => p.Shape is not null).ToDictionary(p => p.name, p => p.Shape!);
        copy.UpgradeOpset(shapes, target);
    }
}
