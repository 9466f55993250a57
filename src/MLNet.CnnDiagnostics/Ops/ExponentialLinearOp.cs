using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Elu (gy for x &gt; 0, gy·(y + alpha) elsewhere), Selu (gamma for x &gt; 0, y + gamma·alpha elsewhere) and
/// Celu (1 for x &gt; 0, y/alpha + 1 elsewhere). At x = 0 the left-hand slope is taken, as PyTorch does.
/// </summary>
internal sealed class ExponentialLinearOp : OpDefinition
{
    /// <summary>Selu's defaults (the ONNX spec's float values).</summary>
    private const float SeluAlpha = 1.67326319217681884765625f, SeluGamma = 1.05070102214813232421875f;

    public override IReadOnlyList<string> OpTypes => ["Elu", "Selu", "Celu"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0], y = node.Output[0];
        string positive, negative;
        switch (node.OpType)
        {
            case "Elu":
                positive = gy;
                negative = ctx.Emit("Mul", [gy, ctx.Emit("Add", [y, ctx.Scalar(NodeAttributes.GetFloat(node, "alpha", 1f))])]);
                break;
            case "Selu":
            {
                float alpha = NodeAttributes.GetFloat(node, "alpha", SeluAlpha), gamma = NodeAttributes.GetFloat(node, "gamma", SeluGamma);
                positive = ctx.Emit("Mul", [gy, ctx.Scalar(gamma)]);
                negative = ctx.Emit("Mul", [gy, ctx.Emit("Add", [y, ctx.Scalar(alpha * gamma)])]);
                break;
            }
            case "Celu":
                positive = gy;
                negative = ctx.Emit("Mul", [gy, ctx.Emit("Add", [ctx.Emit("Div", [y, ctx.Scalar(NodeAttributes.GetFloat(node, "alpha", 1f))]), ctx.Scalar(1f)])]);
                break;
            default:
                throw new InvalidOperationException(node.OpType);
        }
        return [ctx.Emit("Where", [ctx.Emit("Greater", [x, ctx.Scalar(0f)]), positive, negative])];
    }
}
