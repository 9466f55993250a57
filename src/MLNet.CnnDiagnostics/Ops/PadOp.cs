using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Pad (constant mode, opset 11+): the gradient is the slice of the output that covers the input. Pads computed in the
/// graph (a shape sub-graph, as Swin's window padding is) and negative pads (cropping) take the general form: the
/// output gradient is zero-padded by the cropped amounts, then sliced from the leading pad for the input's length.
/// </summary>
internal sealed class PadOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Pad"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "pads rows and columns: the field moves by the leading pad";

    // Padding rows and columns shifts every position by the leading pad; padding other axes keeps the field.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        var pads = node.GetIntegers("pads") ?? node.GetIntegers("input1");
        if (pads is null || !input.HasSpatialAxes || pads.Length != 2 * input.Rank)
            return pads is null || pads.All(p => p == 0) ? FieldStep.Same(input) : FieldStep.Fail($"Pad node '{node.Name}' has pads the calculator cannot place");
        int r = input.Rank;
        var field = new ReceptiveField(input.Field.Y.Through(1, 1, 1, (int)pads[input.AxisH]), input.Field.X.Through(1, 1, 1, (int)pads[input.AxisW]));
        return FieldStep.Same(input with
        {
            Field = field,
            Height = input.Height + (int)(pads[input.AxisH] + pads[input.AxisH + r]),
            Width = input.Width + (int)(pads[input.AxisW] + pads[input.AxisW + r]),
        });
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string mode = NodeAttributes.GetString(node, "mode", "constant");
        if (mode != "constant")
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: Pad mode '{mode}' has no backward rule; only 'constant' is supported.");
        if (node.Input.Count > 3 && node.Input[3] != "")
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: Pad with an 'axes' input is not supported.");
        var result = new string?[node.Input.Count];
        var padsTensor = ctx.Constant(node.Input[1]);
        if (padsTensor is null || ConstantTensors.ReadInt64(padsTensor).Any(p => p < 0))
        {
            result[0] = ComputedPadsBackward(ctx, node, gy);
            return result;
        }
        var pads = ConstantTensors.ReadInt64(padsTensor);
        int rank = pads.Length / 2;
        var starts = pads.Take(rank).ToArray();
        var ends = pads.Skip(rank).Select(p => p > 0 ? -p : long.MaxValue).ToArray();
        var axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        result[0] = ctx.Emit("Slice", [gy, ctx.Int64s(starts), ctx.Int64s(ends), ctx.Int64s(axes)]);
        return result;
    }

    // pads read at run time: crop = max(-pads, 0) restores what was cut away (as zeros), then the input's window starts at max(pads_begin, 0)
    private static string ComputedPadsBackward(BackwardContext ctx, GraphNode node, string gy)
    {
        int rank = ctx.Rank(node.Input[0]);
        string pads = node.Input[1];
        string zero = ctx.Int64s(0);
        string crop = ctx.Emit("Max", [ctx.Emit("Neg", [pads]), zero]);
        string restored = ctx.Emit("Pad", [gy, crop]);
        string leading = ctx.Emit("Max", [ctx.Emit("Slice", [pads, ctx.Int64s(0), ctx.Int64s(rank), ctx.Int64s(0)]), zero]);
        string ends = ctx.Emit("Add", [leading, ctx.Emit("Shape", [node.Input[0]])]);
        var axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        return ctx.Emit("Slice", [restored, leading, ends, ctx.Int64s(axes)]);
    }
}
