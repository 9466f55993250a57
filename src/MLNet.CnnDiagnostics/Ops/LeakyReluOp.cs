using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>LeakyRelu: the gradient where the input is positive, alpha times it elsewhere.</summary>
internal sealed class LeakyReluOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["LeakyRelu"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        float alpha = NodeAttributes.GetFloat(node, "alpha", 0.01f);
        var positive = ctx.Emit("Greater", [node.Input[0], ctx.Scalar(0f)]);
        return [ctx.Emit("Where", [positive, gy, ctx.Emit("Mul", [gy, ctx.Scalar(alpha)])])];
    }
}
