using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Sigmoid: gy · y · (1 − y).</summary>
internal sealed class SigmoidOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Sigmoid"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string y = node.Output[0];
        var slope = ctx.Emit("Mul", [y, ctx.Emit("Sub", [ctx.Scalar(1f), y])]);
        return [ctx.Emit("Mul", [gy, slope])];
    }
}
