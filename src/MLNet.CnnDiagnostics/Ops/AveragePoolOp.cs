using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// AveragePool: the gradient divided by each window's element count, spread back over the window by a
/// single-channel ConvTranspose with a kernel of ones (batch and channels folded together).
/// </summary>
internal sealed class AveragePoolOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["AveragePool"];

    public override FieldRule Field => FieldRule.Window;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0];
        var xs = ctx.Shape(x);
        var ys = ctx.Shape(node.Output[0]);
        var kernel = NodeAttributes.GetInts(node, "kernel_shape")
            ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no kernel_shape.");
        var g = ConvGeometry.Resolve(node, kernel, xs, ys);
        bool includePad = NodeAttributes.GetInt(node, "count_include_pad", 0) != 0;
        var outSpatial = ys.Skip(2).ToArray();
        var divisor = WindowCounts(g, xs.Skip(2).ToArray(), outSpatial, includePad);
        var divisorName = ctx.Floats(divisor, outSpatial.Select(d => (long)d).ToArray());
        var scaled = ctx.Emit("Div", [gy, divisorName]);
        var folded = ctx.Emit("Reshape", [scaled, ctx.Int64s([-1, 1, .. outSpatial.Select(d => (long)d)])]);
        var ones = ctx.Floats(Enumerable.Repeat(1f, (int)kernel.Aggregate(1L, (a, b) => a * b)).ToArray(), [1, 1, .. kernel]);
        var spread = ctx.Emit("ConvTranspose", [folded, ones], g.TransposeAttributes(1));
        return [ctx.ReshapeLike(spread, x)];
    }

    /// <summary>Elements each output window averages: the full kernel, or only the in-bounds ones when pads are not counted.</summary>
    private static float[] WindowCounts(ConvGeometry g, int[] input, int[] output, bool includePad)
    {
        int total = output.Aggregate(1, (a, b) => a * b);
        var counts = new float[total];
        var index = new int[output.Length];
        for (int flat = 0; flat < total; flat++)
        {
            int rem = flat;
            for (int d = output.Length - 1; d >= 0; d--) { index[d] = rem % output[d]; rem /= output[d]; }
            long count = 1;
            for (int d = 0; d < output.Length; d++)
            {
                if (includePad) { count *= g.Kernel[d]; continue; }
                long inside = 0;
                for (long k = 0; k < g.Kernel[d]; k++)
                {
                    long pos = index[d] * g.Strides[d] - g.PadsBegin[d] + k * g.Dilations[d];
                    if (pos >= 0 && pos < input[d]) inside++;
                }
                count *= inside;
            }
            counts[flat] = count;
        }
        return counts;
    }
}
