using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// The Reduce* family (axes as attribute up to opset 17 or input from 18, keepdims both ways, noop_with_empty_axes):
/// reducing over rows or columns mixes positions, over channels keeps each one. Subclasses give the local derivative.
/// </summary>
internal abstract class ReductionOp : OpDefinition
{
    public override FieldRule Field => FieldRule.Global;

    public override string FieldDescription => "over rows or columns: the whole image; over channels: position-wise";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        var axes = node.GetIntegers("axes") ?? node.GetIntegers("input1");
        if (axes is null || axes.Length == 0 || axes.Any(input.IsSpatialAxis) || !input.HasSpatialAxes) return FieldStep.Same(FieldFlow.Global(input, node, 0));
        if (node.GetInteger("keepdims", 1) != 0) return FieldStep.Same(input);
        int shiftH = axes.Count(a => input.Normalize(a) < input.AxisH), shiftW = axes.Count(a => input.Normalize(a) < input.AxisW);
        return FieldStep.Same(input.WithAxes(input.AxisH - shiftH, input.AxisW - shiftW, input.Rank - axes.Length));
    }

    public sealed override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0], y = node.Output[0];
        int rank = ctx.Rank(x);
        long[]? axes = NodeAttributes.GetInts(node, "axes");
        string? axesInput = axes is null && node.Input.Count > 1 && node.Input[1] != "" ? node.Input[1] : null;
        var result = new string?[node.Input.Count];
        bool noop = NodeAttributes.GetInt(node, "noop_with_empty_axes", 0) != 0;
        if (axesInput is not null && ctx.Constant(axesInput) is { } constant) axes = ConstantTensors.ReadInt64(constant);
        if (noop && (axes?.Length ?? (axesInput is null ? 0 : -1)) == 0)
        {
            result[0] = Local(ctx, node, x, y, gy, reducesAll: false, identity: true);
            return result;
        }
        string gk = gy, yk = y;
        if (NodeAttributes.GetInt(node, "keepdims", 1) == 0)
        {
            // put the reduced axes back (size 1) so the output and its gradient broadcast against the input
            var reduced = axes is null || axes.Length == 0 ? Enumerable.Range(0, rank).Select(i => (long)i).ToArray() : axes.Select(a => a < 0 ? a + rank : a).Order().ToArray();
            if (axes is null && axesInput is not null)
                throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: with keepdims=0 the axes input '{axesInput}' must be a constant.");
            gk = ctx.Emit("Unsqueeze", [gy, ctx.Int64s(reduced)]);
            yk = ctx.Emit("Unsqueeze", [y, ctx.Int64s(reduced)]);
        }
        result[0] = Local(ctx, node, x, yk, gk, reducesAll: axes is null || axes.Length == 0, identity: false);
        return result;
    }

    /// <summary>
    /// The gradient of the input given the output <paramref name="y"/> and its gradient <paramref name="g"/>, both with
    /// the reduced axes kept (size 1). <paramref name="identity"/>: the node reduced nothing (noop_with_empty_axes).
    /// </summary>
    protected abstract string Local(BackwardContext ctx, GraphNode node, string x, string y, string g, bool reducesAll, bool identity);

    /// <summary>The reduced axes as a tensor for ReduceSum (null: all axes).</summary>
    protected static string[] ReduceSumInputs(BackwardContext ctx, GraphNode node, string tensor)
    {
        var axes = NodeAttributes.GetInts(node, "axes");
        if (axes is not null) return axes.Length == 0 ? [tensor] : [tensor, ctx.Int64s(axes)];
        return node.Input.Count > 1 && node.Input[1] != "" ? [tensor, node.Input[1]] : [tensor];
    }
}

/// <summary>ReduceMean and ReduceSum: the gradient broadcast back, divided by the count for the mean.</summary>
internal sealed class ReduceOp : ReductionOp
{
    public override IReadOnlyList<string> OpTypes => ["ReduceMean", "ReduceSum"];

    protected override string Local(BackwardContext ctx, GraphNode node, string x, string y, string g, bool reducesAll, bool identity)
    {
        if (identity) return g;
        if (node.OpType == "ReduceMean") g = ctx.Emit("Div", [g, ctx.SizeRatio(x, y)]);
        return ctx.Emit("Expand", [g, ctx.ShapeOf(x)]);
    }
}
