using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Smooth activations: Softplus (σ(x)), Softsign (1 / (1 + |x|)², finite at 0), Mish (tanh(sp) + x·(1 − tanh²(sp))·σ(x),
/// sp = softplus(x)) and Gelu (opset 20; approximate 'none': Φ(x) + x·φ(x) with Erf; 'tanh': the derivative of
/// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with Tanh), each written with ops valid at opset 17.
/// </summary>
internal sealed class SmoothActivationOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Softplus", "Softsign", "Mish", "Gelu"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0];
        string slope;
        switch (node.OpType)
        {
            case "Softplus":
                slope = ctx.Emit("Sigmoid", [x]);
                break;
            case "Softsign":
            {
                var denominator = ctx.Emit("Add", [ctx.Scalar(1f), ctx.Emit("Abs", [x])]);
                return [ctx.Emit("Div", [gy, ctx.Emit("Mul", [denominator, denominator])])];
            }
            case "Mish":
            {
                var t = ctx.Emit("Tanh", [ctx.Emit("Softplus", [x])]);
                var sech2 = ctx.Emit("Sub", [ctx.Scalar(1f), ctx.Emit("Mul", [t, t])]);
                slope = ctx.Emit("Add", [t, ctx.Emit("Mul", [x, ctx.Emit("Mul", [sech2, ctx.Emit("Sigmoid", [x])])])]);
                break;
            }
            case "Gelu":
                slope = GeluSlope(ctx, node, x);
                break;
            default:
                throw new InvalidOperationException(node.OpType);
        }
        return [ctx.Emit("Mul", [gy, slope])];
    }

    private static string GeluSlope(BackwardContext ctx, GraphNode node, string x)
    {
        string approximate = NodeAttributes.GetString(node, "approximate", "none");
        var x2 = ctx.Emit("Mul", [x, x]);
        switch (approximate)
        {
            case "none":
            {
                // Φ(x) = 0.5·(1 + erf(x/√2)), φ(x) = exp(−x²/2)/√(2π)
                var cdf = ctx.Emit("Mul", [ctx.Scalar(0.5f), ctx.Emit("Add", [ctx.Scalar(1f), ctx.Emit("Erf", [ctx.Emit("Mul", [x, ctx.Scalar((float)(1 / Math.Sqrt(2)))])])])]);
                var pdf = ctx.Emit("Mul", [ctx.Scalar((float)(1 / Math.Sqrt(2 * Math.PI))), ctx.Emit("Exp", [ctx.Emit("Mul", [x2, ctx.Scalar(-0.5f)])])]);
                return ctx.Emit("Add", [cdf, ctx.Emit("Mul", [x, pdf])]);
            }
            case "tanh":
            {
                const double c = 0.044715;
                float k = (float)Math.Sqrt(2 / Math.PI);
                // u = k·(x + c·x³), du/dx = k·(1 + 3c·x²)
                var u = ctx.Emit("Mul", [ctx.Scalar(k), ctx.Emit("Add", [x, ctx.Emit("Mul", [ctx.Scalar((float)c), ctx.Emit("Mul", [x2, x])])])]);
                var du = ctx.Emit("Mul", [ctx.Scalar(k), ctx.Emit("Add", [ctx.Scalar(1f), ctx.Emit("Mul", [ctx.Scalar((float)(3 * c)), x2])])]);
                var t = ctx.Emit("Tanh", [u]);
                var half = ctx.Emit("Mul", [ctx.Scalar(0.5f), ctx.Emit("Add", [ctx.Scalar(1f), t])]);
                var sech2 = ctx.Emit("Sub", [ctx.Scalar(1f), ctx.Emit("Mul", [t, t])]);
                return ctx.Emit("Add", [half, ctx.Emit("Mul", [ctx.Emit("Mul", [ctx.Scalar(0.5f), x]), ctx.Emit("Mul", [sech2, du])])]);
            }
            default:
                throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has approximate='{approximate}'; 'none' and 'tanh' are supported.");
        }
    }
}
