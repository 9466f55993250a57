using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>MatMul (operands of any rank, 1-D included; batch axes broadcast): gA = gY·Bᵀ, gB = Aᵀ·gY, each summed over broadcast axes.</summary>
internal sealed class MatMulOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["MatMul"];

    public override FieldRule Field => FieldRule.Global;

    public override string FieldDescription => "a constant matrix over a non-spatial last axis (ConvNeXt's pointwise layers): position-wise; otherwise the whole image";

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

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string a = node.Input[0], b = node.Input[1], y = node.Output[0];
        int[] aShape = ctx.Shape(a), bShape = ctx.Shape(b), yShape = ctx.Shape(y);
        if (aShape.Length >= 2 && bShape.Length >= 2)
            return
            [
                need[0] ? ctx.ReduceToOperand(ctx.Emit("MatMul", [gy, SwapLast(ctx, b)]), y, a) : null,
                need[1] ? ctx.ReduceToOperand(ctx.Emit("MatMul", [SwapLast(ctx, a), gy]), y, b) : null,
            ];
        // A 1-D operand is a row (left) or column (right) vector whose unit axis MatMul drops from the result: put the
        // axes back, differentiate the matrix product, sum over broadcast axes and reshape to the operand's shape.
        bool rowA = aShape.Length == 1, columnB = bShape.Length == 1;
        string a2 = rowA ? ctx.Emit("Unsqueeze", [a, ctx.Int64s(0)]) : a;
        string b2 = columnB ? ctx.Emit("Unsqueeze", [b, ctx.Int64s(1)]) : b;
        int[] a2Shape = rowA ? [1, .. aShape] : aShape, b2Shape = columnB ? [.. bShape, 1] : bShape;
        var y2Shape = yShape.ToList();
        if (rowA) y2Shape.Insert(y2Shape.Count - (columnB ? 0 : 1), 1);
        if (columnB) y2Shape.Add(1);
        var g2 = gy;
        if (rowA) g2 = ctx.Emit("Unsqueeze", [g2, ctx.Int64s(y2Shape.Count - 2)]);
        if (columnB) g2 = ctx.Emit("Unsqueeze", [g2, ctx.Int64s(y2Shape.Count - 1)]);
        return
        [
            need[0] ? ReduceTo(ctx, ctx.Emit("MatMul", [g2, SwapLast(ctx, b2, b2Shape.Length)]), [.. y2Shape], a2Shape, a) : null,
            need[1] ? ReduceTo(ctx, ctx.Emit("MatMul", [SwapLast(ctx, a2, a2Shape.Length), g2]), [.. y2Shape], b2Shape, b) : null,
        ];
    }

    /// <summary>Sums a gradient of result shape <paramref name="result"/> over the axes <paramref name="operand"/> was broadcast along; reshapes it like <paramref name="like"/>.</summary>
    private static string ReduceTo(BackwardContext ctx, string grad, int[] result, int[] operand, string like)
    {
        int lead = result.Length - operand.Length;
        var axes = Enumerable.Range(0, result.Length).Where(i => i < lead || (operand[i - lead] == 1 && result[i] != 1)).Select(i => (long)i).ToArray();
        var summed = axes.Length == 0 ? grad : ctx.Emit("ReduceSum", [grad, ctx.Int64s(axes)], GraphAttribute.Int("keepdims", 1));
        return ctx.ReshapeLike(summed, like);
    }

    private static string SwapLast(BackwardContext ctx, string x) => SwapLast(ctx, x, ctx.Rank(x));

    private static string SwapLast(BackwardContext ctx, string x, int r)
    {
        var perm = Enumerable.Range(0, r).Select(i => (long)i).ToArray();
        (perm[r - 2], perm[r - 1]) = (perm[r - 1], perm[r - 2]);
        return ctx.Emit("Transpose", [x], GraphAttribute.IntList("perm", perm));
    }
}
