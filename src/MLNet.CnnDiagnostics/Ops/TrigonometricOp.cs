using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Sin (gy·cos x) and Cos (−gy·sin x), element-wise: a position-wise field.</summary>
internal sealed class TrigonometricOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Sin", "Cos"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0];
        return node.OpType switch
        {
            "Sin" => [ctx.Emit("Mul", [gy, ctx.Emit("Cos", [x])])],
            "Cos" => [ctx.Emit("Neg", [ctx.Emit("Mul", [gy, ctx.Emit("Sin", [x])])])],
            _ => throw new InvalidOperationException(node.OpType),
        };
    }
}
