using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// HardSigmoid, max(0, min(1, alpha·x + beta)) (defaults 0.2, 0.5): gy·alpha strictly inside (0, 1), zero elsewhere,
/// the kinks included (PyTorch's hardsigmoid_backward does the same).
/// </summary>
internal sealed class HardSigmoidOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["HardSigmoid"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        float alpha = NodeAttributes.GetFloat(node, "alpha", 0.2f), beta = NodeAttributes.GetFloat(node, "beta", 0.5f);
        var v = ctx.Emit("Add", [ctx.Emit("Mul", [node.Input[0], ctx.Scalar(alpha)]), ctx.Scalar(beta)]);
        var inside = ctx.Emit("And", [ctx.Emit("Greater", [v, ctx.Scalar(0f)]), ctx.Emit("Less", [v, ctx.Scalar(1f)])]);
        return [ctx.Emit("Where", [inside, ctx.Emit("Mul", [gy, ctx.Scalar(alpha)]), ctx.Scalar(0f)])];
    }
}
