using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// MaxPool: the gradient goes to the first maximum of each window (row-major scan, as ONNX Runtime's Indices and
/// PyTorch route it); overlapping windows add up.
/// <para>
/// Windows that do not overlap (kernel ≤ stride, undilated): each window offset's strided view of the (−∞-padded) input
/// is compared with the pooled output on the output's small grid; the first offset equal to the maximum takes the
/// gradient, later ones get none; the offsets' parts are interleaved back as stride phases and cropped. This avoids
/// MaxPool's Indices output (ONNX Runtime's profile: about 20× slower than the plain pool) and the full-size
/// ScatterElements. Overlapping windows keep Indices (flat over the input) scattered back with ScatterElements
/// reduction=add (MaxUnpool would overwrite): the comparison route is written for them too (offset a = r + s·u lands in
/// phase r shifted by u) but profiled slower there (ResNet18's 3×3/2 pool at 112²: 8 strided Slices, 16 Wheres and the
/// Pads cost more than the scatter; GoogLeNet, SqueezeNet and ResNet of the zoo: 25–75% more forward+backward time).
/// </para>
/// </summary>
internal sealed class MaxPoolOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["MaxPool"];

    public override FieldRule Field => FieldRule.Window;

    public override int ActivationOutputs => 1;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        var kernel = NodeAttributes.GetInts(node, "kernel_shape")
            ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no kernel_shape.");
        var window = ConvGeometry.Window(node, kernel, ctx.Shape(node.Input[0]), ctx.Shape(node.Output[0]));
        bool apart = window.Dilations.All(d => d == 1) && kernel.Select((k, i) => k <= window.Strides[i]).All(b => b);
        return apart ? [RouteByComparison(ctx, node, gy, window)] : [RouteByIndices(ctx, node, gy)];
    }

    private static string RouteByComparison(BackwardContext ctx, GraphNode node, string gy, ConvGeometry window)
    {
        string x = node.Input[0], y = node.Output[0];
        var xs = ctx.Shape(x);
        var ys = ctx.Shape(y);
        int spatial = window.Kernel.Length;
        var stride = window.Strides;
        var kernel = window.Kernel;
        var axes = Enumerable.Range(2, spatial).Select(a => (long)a).ToArray();

        // −∞ border so that every window lies inside the padded input
        var padEnd = new long[spatial];
        for (int i = 0; i < spatial; i++)
            padEnd[i] = Math.Max(0, (ys[2 + i] - 1) * stride[i] + kernel[i] - window.PadsBegin[i] - xs[2 + i]);
        string padded = x;
        if (window.PadsBegin.Any(p => p > 0) || padEnd.Any(p => p > 0))
            padded = ctx.Emit("Pad", [x, ctx.Int64s([0, 0, .. window.PadsBegin, 0, 0, .. padEnd]), ctx.Scalar(float.NegativeInfinity)]);

        // the first offset (row-major) whose strided view equals the maximum takes the remaining gradient
        int offsets = (int)kernel.Aggregate(1L, (a, k) => a * k);
        var parts = new string[offsets];
        string remaining = gy, zero = ctx.Scalar(0f);
        var steps = ctx.Int64s(stride);
        var axesName = ctx.Int64s(axes);
        for (int t = 0; t < offsets - 1; t++)
        {
            var offset = Offset(t, kernel);
            var view = ctx.Emit("Slice", [padded, ctx.Int64s(offset),
                ctx.Int64s(offset.Select((a, i) => a + (ys[2 + i] - 1) * stride[i] + 1).ToArray()), axesName, steps]);
            var hit = ctx.Emit("Equal", [view, y]);
            parts[t] = ctx.Emit("Where", [hit, remaining, zero]);
            remaining = ctx.Emit("Where", [hit, zero, remaining]);
        }
        parts[offsets - 1] = remaining;     // the maximum is somewhere in the window: what no earlier offset took is the last's

        // window offset a is stride phase a (kernel ≤ stride); phases beyond the kernel get zeros
        var length = ys.Skip(2).Select(o => (long)o).ToArray();
        int phases = (int)stride.Aggregate(1L, (a, s) => a * s);
        var phaseTensors = new string[phases];
        string? zeros = null;
        for (int phase = 0; phase < phases; phase++)
        {
            var r = Offset(phase, stride);
            bool inside = r.Select((v, i) => v < kernel[i]).All(b => b);
            phaseTensors[phase] = inside ? parts[FlatIndex(r, kernel)]
                : zeros ??= ctx.Emit("ConstantOfShape", [ctx.ShapeOf(gy)]);
        }
        string full = phases == 1 ? phaseTensors[0]
            : ConvInputGradient.InterleavePhases(ctx, ctx.Emit("Concat", phaseTensors, GraphAttribute.Int("axis", 1)), 1, stride, xs[1], length);

        // padded coordinates t = i + pad: crop to the input, with zeros for trailing inputs no window reaches
        var covered = length.Select((l, i) => l * stride[i]).ToArray();
        var extra = covered.Select((c, i) => Math.Max(0, window.PadsBegin[i] + xs[2 + i] - c)).ToArray();
        if (extra.Any(e => e > 0)) full = ctx.Emit("Pad", [full, ctx.Int64s([0, 0, .. new long[spatial], 0, 0, .. extra])]);
        bool crop = Enumerable.Range(0, spatial).Any(i => window.PadsBegin[i] != 0 || covered[i] + extra[i] != xs[2 + i]);
        return crop
            ? ctx.Emit("Slice", [full, ctx.Int64s(window.PadsBegin), ctx.Int64s(window.PadsBegin.Select((p, i) => p + xs[2 + i]).ToArray()), axesName])
            : full;
    }

    /// <summary>The row-major flat index of <paramref name="index"/> in a box of sizes <paramref name="sizes"/>.</summary>
    private static int FlatIndex(long[] index, long[] sizes)
    {
        long flat = 0;
        for (int i = 0; i < sizes.Length; i++) flat = flat * sizes[i] + index[i];
        return (int)flat;
    }

    /// <summary>The multi-index of <paramref name="flat"/> in a row-major box of sizes <paramref name="sizes"/>.</summary>
    private static long[] Offset(int flat, long[] sizes)
    {
        var index = new long[sizes.Length];
        for (int i = sizes.Length - 1; i >= 0; i--) { index[i] = flat % sizes[i]; flat /= (int)sizes[i]; }
        return index;
    }

    private static string RouteByIndices(BackwardContext ctx, GraphNode node, string gy)
    {
        if (NodeAttributes.GetInt(node, "storage_order", 0) != 0)
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: storage_order=1 (column-major indices) is not supported; 0 is.");
        string indices = node.Output.Count >= 2 ? node.Output[1] : ctx.AddOutput(node, node.Output[0] + "/indices");
        string x = node.Input[0];
        var size = ctx.Emit("Reshape", [ctx.Emit("Size", [x]), ctx.Int64s(1)]);
        var zeros = ctx.Emit("ConstantOfShape", [size]);
        var flatIndices = ctx.Emit("Reshape", [indices, ctx.Int64s(-1)]);
        var flatGrad = ctx.Emit("Reshape", [gy, ctx.Int64s(-1)]);
        var scattered = ctx.Emit("ScatterElements", [zeros, flatIndices, flatGrad],
            GraphAttribute.Int("axis", 0), GraphAttribute.String("reduction", "add"));
        return ctx.ReshapeLike(scattered, x);
    }
}
