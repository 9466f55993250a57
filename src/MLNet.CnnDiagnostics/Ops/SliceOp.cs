using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Slice (opset 1–9 attributes starts/ends/axes; opset 10+ inputs starts/ends/axes/steps, constant or computed). With unit
/// steps the slice is a box, and its gradient is the output's gradient padded with zeros back to the input's size (one Pad;
/// bounds computed at run time, as torch.onnx writes a channel split, give the pads by a few int64 ops on the bounds). Other
/// steps scatter the output's gradient back to the elements the slice copied (see <see cref="IndexRouting"/>), which
/// ONNX Runtime's profile showed far slower: ShuffleNetV2's six channel splits as scatters were ~5% of its forward+backward
/// at batch 16, plus a reorder out of the blocked layout for each input whose shape the scatter read.
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
            long begin = Clamp(starts[i], size);
            long end = Clamp(ends[i], size);
            int count = (int)Math.Max(0, (end - begin + step - 1) / step);
            if (count == 0) return FieldStep.Fail($"Slice node '{node.Name}' keeps no {(rows ? "rows" : "columns")}");
            var moved = (rows ? y : x).Through(1, (int)step, 1, (int)-begin);
            if (rows) { y = moved; height = count; }
            else { x = moved; width = count; }
        }
        return FieldStep.Same(input with { Field = new ReceptiveField(y, x), Height = height, Width = width });
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        return FirstInput(node, AsPad(ctx, node, gy) ?? IndexRouting.Backward(ctx, node, gy));
    }

    /// <summary>The gradient as a zero Pad of <paramref name="gy"/> where every step is 1 and the axes are constant; else null.</summary>
    private static string? AsPad(BackwardContext ctx, GraphNode node, string gy)
    {
        if (node.Input.Count < 3) return null;      // opset 1–9 attributes (the builder upgrades them to inputs)
        string x = node.Input[0];
        var xs = ctx.Shape(x);
        int rank = xs.Length;
        string? Optional(int i) => node.Input.Count > i && node.Input[i] != "" ? node.Input[i] : null;
        if (Optional(4) is { } stepsName && (ctx.Constant(stepsName) is not { } steps || steps.ReadInt64().Any(s => s != 1))) return null;
        long[]? starts = ctx.Constant(node.Input[1])?.ReadInt64(), ends = ctx.Constant(node.Input[2])?.ReadInt64();
        int count = starts?.Length ?? ends?.Length ?? ctx.Shape(node.Input[1])[0];
        long[] axes;
        if (Optional(3) is { } axesName)
        {
            if (ctx.Constant(axesName) is not { } a) return null;
            axes = a.ReadInt64().Select(v => v < 0 ? v + rank : v).ToArray();
        }
        else axes = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        if (axes.Length != count || axes.Any(a => a < 0 || a >= rank) || axes.Distinct().Count() != count) return null;

        // the batch axis is sized at run time; the others as probed, where the tensor leads with the batch
        bool batchAxis = axes.Contains(0) || xs.Length == 0 || xs[0] != ctx.ProbeBatch;
        if (!batchAxis && starts is not null && ends is not null)
        {
            var pads = new long[2 * rank];
            for (int i = 0; i < count; i++)
            {
                long size = xs[axes[i]];
                long begin = Clamp(starts[i], size), end = Math.Max(begin, Clamp(ends[i], size));
                pads[axes[i]] = begin;
                pads[rank + axes[i]] = size - end;
            }
            return pads.All(p => p == 0) ? gy : ctx.Emit("Pad", [gy, ctx.Int64s(pads)]);
        }

        // bounds at run time: clamp(b < 0 ? b + size : b, 0, size) per axis, then scatter into the full pads vector
        string sizes = batchAxis ? ctx.Emit("Gather", [ctx.ShapeOf(x), ctx.Int64s(axes)], GraphAttribute.Int("axis", 0))
            : ctx.Int64s(axes.Select(a => (long)xs[a]).ToArray());
        string zero = ctx.Int64s(0);
        string Bound(string b)
        {
            var v = ctx.Emit("Cast", [b], GraphAttribute.Int("to", (long)TensorDataType.Int64));
            var wrapped = ctx.Emit("Where", [ctx.Emit("Less", [v, zero]), ctx.Emit("Add", [v, sizes]), v]);
            return ctx.Emit("Min", [ctx.Emit("Max", [wrapped, zero]), sizes]);
        }
        string first = Bound(node.Input[1]);
        string last = ctx.Emit("Max", [Bound(node.Input[2]), first]);
        string values = ctx.Emit("Concat", [first, ctx.Emit("Sub", [sizes, last])], GraphAttribute.Int("axis", 0));
        string padsVector = ctx.Emit("ScatterElements", [ctx.Int64s(new long[2 * rank]), ctx.Int64s([.. axes, .. axes.Select(a => a + rank)]), values],
            GraphAttribute.Int("axis", 0));
        return ctx.Emit("Pad", [gy, padsVector]);
    }

    /// <summary>A slice bound as ONNX reads it for a positive step: counted from the end when negative, then clamped to [0, size].</summary>
    private static long Clamp(long bound, long size) => Math.Clamp(bound < 0 ? bound + size : bound, 0, size);
}
