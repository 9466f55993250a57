using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>MatMul (both operands of rank ≥ 2, batch axes broadcast): gA = gY·Bᵀ, gB = Aᵀ·gY, each summed over broadcast axes.</summary>
internal sealed class MatMulOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["MatMul"];

    public override FieldRule Field => FieldRule.Global;

    // A constant matrix over the last axis (a pointwise linear layer, as in ConvNeXt's channels-last blocks) keeps
    // each position; one that contracts a spatial axis mixes all of them.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        bool onlyLeft = inputs.Count > 1 && inputs[0] is not null && inputs[1] is null;
        return onlyLeft && !input.IsSpatialAxis(-1) && input.HasSpatialAxes && input.Height * input.Width > 1
            ? FieldStep.Same(input)
            : FieldStep.Same(FieldFlow.Global(input, node, 0));
    }

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
