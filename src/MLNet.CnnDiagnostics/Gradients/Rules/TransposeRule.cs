using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>Transpose: the gradient transposed by the inverse permutation.</summary>
internal sealed class TransposeRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["Transpose"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        int rank = ctx.Rank(node.Input[0]);
        var perm = NodeAttributes.GetInts(node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return [ctx.Emit("Transpose", [gy], NodeAttributes.Ints("perm", inverse))];
    }
}
