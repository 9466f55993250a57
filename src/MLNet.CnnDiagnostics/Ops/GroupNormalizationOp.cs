using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// GroupNormalization (opset 18 and 21): the channels split into <c>num_groups</c> groups, each normalised over its
/// channels, rows and columns, then scaled and shifted. Opset 18 gives scale and bias one value per group, opset 21 one
/// per channel; the rule tells them apart by the scale's length (they coincide when every group is one channel). Scale
/// and bias are weights: only the input gets a gradient. Receptive field: position-wise, the convention the op table
/// uses for per-channel statistics broadcast over the map (squeeze-and-excitation gates, InstanceNormalization).
/// </summary>
internal sealed class GroupNormalizationOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["GroupNormalization"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string FieldDescription => "per-group statistics broadcast over the map: the map's field (as for gates)";

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0], scale = node.Input[1];
        var shape = ctx.Shape(x);
        long groups = NodeAttributes.GetInt(node, "num_groups", 0);
        int channels = shape[1];
        if (groups <= 0 || channels % groups != 0)
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: num_groups {groups} does not divide the {channels} channels.");
        long scaleLength = ctx.Constant(scale) is { } c ? c.Dims.Aggregate(1L, (p, d) => p * d) : ctx.Shape(scale).Aggregate(1L, (p, d) => p * d);
        var grouped = ctx.Int64s(0, groups, -1);                                   // [N, G, C/G·spatial]
        string g;
        if (scaleLength == channels)
        {
            var perChannel = NormalizationGradient.PerChannel(ctx, scale, shape.Length);
            g = ctx.Emit("Reshape", [ctx.Emit("Mul", [gy, perChannel]), grouped]);
        }
        else if (scaleLength == groups)
            g = ctx.Emit("Mul", [ctx.Emit("Reshape", [gy, grouped]), ctx.Emit("Reshape", [scale, ctx.Int64s(-1, 1)])]);
        else
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: its scale has {scaleLength} values; {groups} (one per group, opset 18) or {channels} (one per channel, opset 21) were expected.");
        long count = shape.Skip(1).Aggregate(1L, (p, d) => p * d) / groups;
        var dx = NormalizationGradient.Input(ctx, ctx.Emit("Reshape", [x, grouped]), g, [2], count, NodeAttributes.GetFloat(node, "epsilon", 1e-5f));
        return FirstInput(node, ctx.ReshapeLike(dx, x));
    }
}
