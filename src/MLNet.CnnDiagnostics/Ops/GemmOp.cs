using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Gemm: Y = α·A'·B' + β·C, with A' and B' optionally transposed; the gradients are Gemms again.</summary>
internal sealed class GemmOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Gemm"];

    public override FieldRule Field => FieldRule.Global;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string a = node.Input[0], b = node.Input[1];
        float alpha = NodeAttributes.GetFloat(node, "alpha", 1f), beta = NodeAttributes.GetFloat(node, "beta", 1f);
        bool transA = NodeAttributes.GetInt(node, "transA", 0) != 0, transB = NodeAttributes.GetInt(node, "transB", 0) != 0;
        var result = new string?[node.Input.Count];
        if (need[0])
            result[0] = transA
                ? Gemm(ctx, b, gy, alpha, transB, true)
                : Gemm(ctx, gy, b, alpha, false, !transB);
        if (need[1])
            result[1] = transB
                ? Gemm(ctx, gy, a, alpha, true, transA)
                : Gemm(ctx, a, gy, alpha, !transA, false);
        if (node.Input.Count > 2 && need[2])
            result[2] = ctx.ReduceToOperand(ctx.Emit("Mul", [gy, ctx.Scalar(beta)]), node.Output[0], node.Input[2]);
        return result;
    }

    private static string Gemm(BackwardContext ctx, string a, string b, float alpha, bool transA, bool transB) =>
        ctx.Emit("Gemm", [a, b], GraphAttribute.Float("alpha", alpha), GraphAttribute.Int("transA", transA ? 1 : 0), GraphAttribute.Int("transB", transB ? 1 : 0));
}
