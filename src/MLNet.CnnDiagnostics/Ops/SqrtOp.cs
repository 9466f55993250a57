using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Sqrt: gy · 0.5 / y.</summary>
internal sealed class SqrtOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Sqrt"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need) =>
        [ctx.Emit("Div", [ctx.Emit("Mul", [gy, ctx.Scalar(0.5f)]), node.Output[0]])];
}
