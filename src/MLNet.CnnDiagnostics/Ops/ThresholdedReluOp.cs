using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>ThresholdedRelu (alpha, default 1): gy where x &gt; alpha, zero elsewhere (at x = alpha too, as PyTorch's Threshold).</summary>
internal sealed class ThresholdedReluOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["ThresholdedRelu"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        var above = ctx.Emit("Greater", [node.Input[0], ctx.Scalar(NodeAttributes.GetFloat(node, "alpha", 1f))]);
        return [ctx.Emit("Where", [above, gy, ctx.Scalar(0f)])];
    }
}
