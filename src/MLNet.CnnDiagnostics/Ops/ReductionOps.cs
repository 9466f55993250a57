using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// ReduceMax and ReduceMin: the gradient goes to the winning elements (Equal(x, y)); tied winners share it equally,
/// so the gradients of a tie still add up to the output's.
/// </summary>
internal sealed class ReduceExtremumOp : ReductionOp
{
    public override IReadOnlyList<string> OpTypes => ["ReduceMax", "ReduceMin"];

    protected override string Local(BackwardContext ctx, GraphNode node, string x, string y, string g, bool reducesAll, bool identity) =>
        identity ? g : Winners.Route(ctx, g, ReduceSumInputs(ctx, node, Winners.Mask(ctx, x, y)));
}

/// <summary>ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSumExp, ReduceLogSum: the gradient times the local derivative, broadcast back.</summary>
internal sealed class ReduceNormOp : ReductionOp
{
    public override IReadOnlyList<string> OpTypes => ["ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp", "ReduceLogSum"];

    protected override string Local(BackwardContext ctx, GraphNode node, string x, string y, string g, bool reducesAll, bool identity)
    {
        // noop_with_empty_axes applies the element-wise part alone: |x|, |x| (L2 of one element), x², x (log-sum-exp of one), log x
        if (identity)
            return node.OpType switch
            {
                "ReduceL1" or "ReduceL2" => ctx.Emit("Mul", [g, ctx.Emit("Sign", [x])]),
                "ReduceSumSquare" => ctx.Emit("Mul", [g, ctx.Emit("Mul", [x, ctx.Scalar(2f)])]),
                "ReduceLogSumExp" => g,
                _ => ctx.Emit("Div", [g, x]),
            };
        string local = node.OpType switch
        {
            "ReduceL1" => ctx.Emit("Mul", [g, ctx.Emit("Sign", [x])]),
            // x / ‖x‖ (0 where the norm is 0: x is 0 there too)
            "ReduceL2" => ctx.Emit("Mul", [g, ctx.Emit("Div", [x, ctx.Emit("Max", [y, ctx.Scalar(1e-30f)])])]),
            "ReduceSumSquare" => ctx.Emit("Mul", [g, ctx.Emit("Mul", [x, ctx.Scalar(2f)])]),
            "ReduceLogSumExp" => ctx.Emit("Mul", [g, ctx.Emit("Exp", [ctx.Emit("Sub", [x, y])])]),
            _ => ctx.Emit("Div", [g, ctx.Emit("Exp", [y])]),                       // ReduceLogSum: 1 / Σx
        };
        return ctx.Emit("Expand", [local, ctx.ShapeOf(x)]);
    }
}

/// <summary>GlobalMaxPool: the gradient of each channel goes to its largest position (ties share it).</summary>
internal sealed class GlobalMaxPoolOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["GlobalMaxPool"];

    public override FieldRule Field => FieldRule.Global;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0], y = node.Output[0];
        var spatialAxes = Enumerable.Range(2, ctx.Rank(x) - 2).Select(i => (long)i).ToArray();
        return [Winners.Route(ctx, gy, [Winners.Mask(ctx, x, y), ctx.Int64s(spatialAxes)])];
    }
}

/// <summary>Routing a max or min reduction's gradient to its winners.</summary>
internal static class Winners
{
    /// <summary>1 where an element of <paramref name="x"/> equals the (broadcast) reduced value <paramref name="y"/>, else 0.</summary>
    public static string Mask(BackwardContext ctx, string x, string y) =>
        ctx.Emit("Cast", [ctx.Emit("Equal", [x, y])], GraphAttribute.Int("to", (long)TensorDataType.Float));

    /// <summary><paramref name="g"/> (reduced axes kept) spread over the winners, divided by their count (ReduceSum of the mask with <paramref name="countInputs"/>).</summary>
    public static string Route(BackwardContext ctx, string g, string[] countInputs)
    {
        var mask = countInputs[0];
        var count = ctx.Emit("ReduceSum", countInputs, GraphAttribute.Int("keepdims", 1));
        return ctx.Emit("Mul", [mask, ctx.Emit("Div", [g, count])]);
    }
}
