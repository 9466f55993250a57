using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>Sqrt: gy · 0.5 / y.</summary>
internal sealed class SqrtRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["Sqrt"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need) =>
        [ctx.Emit("Div", [ctx.Emit("Mul", [gy, ctx.Scalar(0.5f)]), node.Output[0]])];
}
