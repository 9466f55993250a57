using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>GlobalAveragePool: the gradient divided by the spatial size, broadcast over the input.</summary>
internal sealed class GlobalAveragePoolOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["GlobalAveragePool"];

    public override FieldRule Field => FieldRule.Global;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0];
        int spatial = ctx.Shape(x).Skip(2).Aggregate(1, (a, b) => a * b);
        var scaled = ctx.Emit("Mul", [gy, ctx.Scalar(1f / spatial)]);
        return [ctx.Emit("Expand", [scaled, ctx.ShapeOf(x)])];
    }
}
