using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Element-wise elementary functions: Exp (gy·y), Log (gy / x), Neg (−gy), Abs (gy·sign x, 0 at x = 0 as in
/// PyTorch), Reciprocal (−gy·y²) and Erf (gy·2/√π·exp(−x²)). None divides by the input where the true derivative is finite.
/// </summary>
internal sealed class ElementaryFunctionOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Exp", "Log", "Neg", "Abs", "Reciprocal", "Erf"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0], y = node.Output[0];
        return node.OpType switch
        {
            "Exp" => [ctx.Emit("Mul", [gy, y])],
            "Log" => [ctx.Emit("Div", [gy, x])],
            "Neg" => [ctx.Emit("Neg", [gy])],
            "Abs" => [ctx.Emit("Mul", [gy, ctx.Emit("Sign", [x])])],
            "Reciprocal" => [ctx.Emit("Neg", [ctx.Emit("Mul", [gy, ctx.Emit("Mul", [y, y])])])],
            "Erf" => [ctx.Emit("Mul", [gy, ctx.Emit("Mul", [ctx.Scalar((float)(2 / Math.Sqrt(Math.PI))), ctx.Emit("Exp", [ctx.Emit("Neg", [ctx.Emit("Mul", [x, x])])])])])],
            _ => throw new InvalidOperationException(node.OpType),
        };
    }
}
