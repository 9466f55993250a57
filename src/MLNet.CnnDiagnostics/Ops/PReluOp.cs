using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// PRelu: gy where x &gt; 0, gy·slope elsewhere (slope broadcast to x as the forward op broadcasts it: [C,1,1] per channel
/// of a map, [C] per feature of a [N,C] matrix). The slope is a weight: only x gets a gradient. At x = 0 the slope
/// side is taken, as in PyTorch.
/// </summary>
internal sealed class PReluOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["PRelu"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var positive = ctx.Emit("Greater", [node.Input[0], ctx.Scalar(0f)]);
        return FirstInput(node, ctx.Emit("Where", [positive, gy, ctx.Emit("Mul", [gy, node.Input[1]])]));
    }
}
