using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Slice (opset 1–9 attributes starts/ends/axes; opset 10+ inputs starts/ends/axes/steps, constant or computed): the
/// gradient is zeros with the output's gradient scattered back to the elements the slice copied (see <see cref="IndexRouting"/>).
/// </summary>
internal sealed class SliceOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Slice"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "slice: position-wise on channels; rows/columns keep their field, the start moves by begin·jump (a positive step multiplies the jump)";

    // Slicing channels keeps every position. Slicing rows or columns from `begin` with step s is a 1×1 window with
    // stride s and a pad of −begin: the field keeps its size, starts begin·jump further and (for s > 1) jumps s times as far.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        var starts = node.GetIntegers("starts") ?? node.GetIntegers("input1");
        var ends = node.GetIntegers("ends") ?? node.GetIntegers("input2");
        if (starts is null || ends is null)
        {
            // bounds computed at run time: fine if the measured shape shows the rows and columns untouched
            var shape = node.OutputShape(0);
            return !input.HasSpatialAxes || (FieldFlow.Spatial(shape, input.AxisH, input.AxisW) is { } hw && hw[0] == input.Height && hw[1] == input.Width)
                ? FieldStep.Same(input)
                : FieldStep.Fail($"Slice node '{node.Name}' has bounds computed at run time, so which rows and columns it keeps is unknown");
        }
        var axes = node.GetIntegers("axes") ?? node.GetIntegers("input3") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = node.GetIntegers("input4") ?? Enumerable.Repeat(1L, starts.Length).ToArray();
        var y = input.Field.Y;
        var x = input.Field.X;
        int height = input.Height, width = input.Width;
        for (int i = 0; i < axes.Length; i++)
        {
            if (!input.IsSpatialAxis(axes[i])) continue;
            bool rows = input.Normalize(axes[i]) == input.AxisH;
            int size = rows ? height : width;
            long step = steps[i];
            if (step <= 0)
                return FieldStep.Fail($"Slice node '{node.Name}' steps backwards ({step}) along spatial axis {axes[i]}, which reverses the image");
            long begin = Clamp(starts[i] < 0 ? starts[i] + size : starts[i], size);
            long end = Clamp(ends[i] < 0 ? ends[i] + size : ends[i], size);
            int count = (int)Math.Max(0, (end - begin + step - 1) / step);
            if (count == 0) return FieldStep.Fail($"Slice node '{node.Name}' keeps no {(rows ? "rows" : "columns")}");
            var moved = (rows ? y : x).Through(1, (int)step, 1, (int)-begin);
            if (rows) { y = moved; height = count; }
            else { x = moved; width = count; }
        }
        return FieldStep.Same(input with { Field = new ReceptiveField(y, x), Height = height, Width = width });
    }

    private static long Clamp(long value, int size) => Math.Clamp(value, 0, size);

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        return FirstInput(node, IndexRouting.Backward(ctx, node, gy));
    }
}
