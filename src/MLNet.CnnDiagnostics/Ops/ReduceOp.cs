using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>ReduceMean and ReduceSum (axes as attribute or input): the gradient broadcast back, divided by the count for the mean.</summary>
internal sealed class ReduceOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["ReduceMean", "ReduceSum"];

    public override FieldRule Field => FieldRule.Global;

    // Reducing over rows or columns mixes the positions; reducing over channels keeps each one.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        var axes = node.GetIntegers("axes") ?? node.GetIntegers("input1");
        if (axes is null || axes.Length == 0 || axes.Any(input.IsSpatialAxis) || !input.HasSpatialAxes) return FieldStep.Same(FieldFlow.Global(input, node, 0));
        if (node.GetInteger("keepdims", 1) != 0) return FieldStep.Same(input);
        int shiftH = axes.Count(a => input.Normalize(a) < input.AxisH), shiftW = axes.Count(a => input.Normalize(a) < input.AxisW);
        return FieldStep.Same(input.WithAxes(input.AxisH - shiftH, input.AxisW - shiftW, input.Rank - axes.Length));
    }

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0], y = node.Output[0];
        int rank = ctx.Rank(x);
        long[]? axes = NodeAttributes.GetInts(node, "axes");
        if (axes is null && node.Input.Count > 1 && node.Input[1] != "")
            axes = ConstantTensors.ReadInt64(ctx.Constant(node.Input[1])
                ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: the axes input '{node.Input[1]}' must be a constant."));
        var result = new string?[node.Input.Count];
        if ((axes is null || axes.Length == 0) && NodeAttributes.GetInt(node, "noop_with_empty_axes", 0) != 0)
        {
            result[0] = gy;
            return result;
        }
        var reduced = (axes is null || axes.Length == 0 ? Enumerable.Range(0, rank).Select(i => (long)i) : axes.Select(a => a < 0 ? a + rank : a))
            .OrderBy(a => a).ToArray();
        string g = NodeAttributes.GetInt(node, "keepdims", 1) != 0 ? gy : ctx.Emit("Unsqueeze", [gy, ctx.Int64s(reduced)]);
        if (node.OpType == "ReduceMean") g = ctx.Emit("Div", [g, ctx.SizeRatio(x, y)]);
        result[0] = ctx.Emit("Expand", [g, ctx.ShapeOf(x)]);
        return result;
    }
}
