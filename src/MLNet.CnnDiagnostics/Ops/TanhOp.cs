using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Tanh: gy · (1 − y²).</summary>
internal sealed class TanhOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Tanh"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string y = node.Output[0];
        var slope = ctx.Emit("Sub", [ctx.Scalar(1f), ctx.Emit("Mul", [y, y])]);
        return [ctx.Emit("Mul", [gy, slope])];
    }
}
