using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Conv: the input gradient is an ordinary Conv over flipped, channel-transposed kernels where the weights are constant
/// (<see cref="ConvInputGradient"/>); otherwise a ConvTranspose with the same weights, strides, dilations, pads and groups.
/// </summary>
internal sealed class ConvOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Conv"];

    public override FieldRule Field => FieldRule.Window;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var weights = ctx.Shape(node.Input[1]);
        var kernel = weights.Skip(2).Select(k => (long)k).ToArray();
        var geometry = ConvGeometry.Resolve(node, kernel, ctx.Shape(node.Input[0]), ctx.Shape(node.Output[0]));
        long group = NodeAttributes.GetInt(node, "group", 1);
        var result = new string?[node.Input.Count];
        result[0] = ConvInputGradient.AsConv(ctx, node, gy, geometry, group)
            ?? ctx.Emit("ConvTranspose", [gy, node.Input[1]], geometry.TransposeAttributes(group));
        return result;
    }
}
