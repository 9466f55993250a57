using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// InstanceNormalization: each channel of each image normalised over its rows and columns, then a per-channel scale
/// and bias (weights: only the input gets a gradient). Receptive field: position-wise. The mean and variance do read
/// the whole map, but like a squeeze-and-excitation gate they are per-channel statistics broadcast over it, and the
/// op table gives such gates the map's own field (an output position's value is chiefly its own input's).
/// </summary>
internal sealed class InstanceNormalizationOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["InstanceNormalization"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string FieldDescription => "per-channel statistics broadcast over the map: the map's field (as for gates)";

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0];
        var shape = ctx.Shape(x);
        var axes = Enumerable.Range(2, shape.Length - 2).Select(a => (long)a).ToArray();
        var perChannel = NormalizationGradient.PerChannel(ctx, node.Input[1], shape.Length);
        var g = ctx.Emit("Mul", [gy, perChannel]);
        long count = axes.Aggregate(1L, (p, a) => p * shape[a]);
        return FirstInput(node, NormalizationGradient.Input(ctx, x, g, axes, count, NodeAttributes.GetFloat(node, "epsilon", 1e-5f)));
    }
}
