using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// HardSwish, x·HardSigmoid(x) with alpha 1/6, beta 0.5: slope (2x + 3)/6 = x/3 + 0.5 on [−3, 3], 0 below −3 and 1 above 3.
/// The kinks follow PyTorch's hardswish_backward: x &lt; −3 gives 0, −3 ≤ x ≤ 3 gives x/3 + 0.5, x &gt; 3 gives 1.
/// </summary>
internal sealed class HardSwishOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["HardSwish"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0];
        var middle = ctx.Emit("Mul", [gy, ctx.Emit("Add", [ctx.Emit("Div", [x, ctx.Scalar(3f)]), ctx.Scalar(0.5f)])]);
        var upper = ctx.Emit("Where", [ctx.Emit("Greater", [x, ctx.Scalar(3f)]), gy, middle]);
        return [ctx.Emit("Where", [ctx.Emit("Less", [x, ctx.Scalar(-3f)]), ctx.Scalar(0f), upper])];
    }
}
