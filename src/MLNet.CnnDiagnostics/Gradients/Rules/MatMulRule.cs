using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>MatMul (both operands of rank ≥ 2, batch axes broadcast): gA = gY·Bᵀ, gB = Aᵀ·gY, each summed over broadcast axes.</summary>
internal sealed class MatMulRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["MatMul"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        string a = node.Input[0], b = node.Input[1], y = node.Output[0];
        if (ctx.Rank(a) < 2 || ctx.Rank(b) < 2)
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: MatMul with a 1-D operand is not supported; both operands must have rank 2 or more.");
        return
        [
            need[0] ? ctx.ReduceToOperand(ctx.Emit("MatMul", [gy, SwapLast(ctx, b)]), y, a) : null,
            need[1] ? ctx.ReduceToOperand(ctx.Emit("MatMul", [SwapLast(ctx, a), gy]), y, b) : null,
        ];
    }

    private static string SwapLast(BackwardContext ctx, string x)
    {
        int r = ctx.Rank(x);
        var perm = Enumerable.Range(0, r).Select(i => (long)i).ToArray();
        (perm[r - 2], perm[r - 1]) = (perm[r - 1], perm[r - 2]);
        return ctx.Emit("Transpose", [x], NodeAttributes.Ints("perm", perm));
    }
}
