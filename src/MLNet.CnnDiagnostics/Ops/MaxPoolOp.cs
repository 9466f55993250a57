using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// MaxPool: the forward node also emits its argmax Indices (flat over the whole input), and the gradient is
/// scattered back with ScatterElements reduction=add, so overlapping windows add up (MaxUnpool would overwrite).
/// </summary>
internal sealed class MaxPoolOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["MaxPool"];

    public override FieldRule Field => FieldRule.Window;

    public override int ActivationOutputs => 1;

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        if (NodeAttributes.GetInt(node, "storage_order", 0) != 0)
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: storage_order=1 (column-major indices) is not supported; 0 is.");
        if (node.Output.Count < 2) node.Output.Add(node.Output[0] + "/indices");
        string x = node.Input[0];
        var size = ctx.Emit("Reshape", [ctx.Emit("Size", [x]), ctx.Int64s(1)]);
        var zeros = ctx.Emit("ConstantOfShape", [size]);
        var flatIndices = ctx.Emit("Reshape", [node.Output[1], ctx.Int64s(-1)]);
        var flatGrad = ctx.Emit("Reshape", [gy, ctx.Int64s(-1)]);
        var scattered = ctx.Emit("ScatterElements", [zeros, flatIndices, flatGrad],
            NodeAttributes.Int("axis", 0), NodeAttributes.String("reduction", "add"));
        return [ctx.ReshapeLike(scattered, x)];
    }
}
