using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// The input gradient of a convolution with constant weights as an ordinary Conv, which ONNX Runtime's CPU provider runs
/// with its fastest (blocked NCHWc) kernels, unlike ConvTranspose (profiled on ResNet18: ConvTranspose took 1.35× (batch 1)
/// to 2.2× (batch 16) the time of the forward Conv it inverts).
/// <para>
/// Stride 1: a Conv of the output gradient with the kernels flipped in space and transposed in channels (precomputed once
/// as an initializer), pads (extent − 1 − pad). Stride s &gt; 1 (dilation 1), by stride-phase decomposition: the input
/// positions t ≡ r (mod s) only receive taps k ≡ r (mod s); each phase r is a stride-1 Conv with the sub-kernel
/// W[r + s·j] flipped (⌈K/s⌉ taps, zero where r + s·j ≥ K), all phases in one Conv with s^d times the channels; a
/// Reshape/Transpose/Reshape interleaves the phases into the full-resolution gradient, and a Slice drops the pad border.
/// </para>
/// </summary>
internal static class ConvInputGradient
{
    /// <summary>
    /// The gradient of the Conv's input, or null (the caller emits a ConvTranspose) where the weights are not constant floats,
    /// a strided axis is dilated, or ConvTranspose profiled faster.
    /// </summary>
    public static string? AsConv(BackwardContext ctx, GraphNode node, string gy, ConvGeometry geometry, long group)
    {
        if (ctx.Constant(node.Input[1]) is not { } weightTensor || weightTensor.DataType != (int)TensorDataType.Float) return null;
        var ws = ctx.Shape(node.Input[1]);
        var xs = ctx.Shape(node.Input[0]);
        var ys = ctx.Shape(node.Output[0]);
        var weights = ConstantTensors.ReadFloat(weightTensor);
        if (weights.Length != FloatTensor.ElementCount(ws)) return null;
        int spatial = ws.Length - 2;
        var stride = geometry.Strides;
        var dilation = geometry.Dilations;
        for (int i = 0; i < spatial; i++)
            if (stride[i] > 1 && dilation[i] != 1) return null;

        int g = (int)group, cgIn = ws[1], cgOut = ws[0] / g;
        // Profiled exceptions where ConvTranspose stays faster: a gradient with fewer channels than ORT's NCHWc block (an
        // image stem's input: a 3-channel output runs about 3× slower as a Conv), and strided grouped convolutions (the
        // phases multiply each group's outputs, so a depthwise convolution would lose ORT's depthwise kernel).
        if (xs[1] < 8 || (g > 1 && stride.Any(s => s > 1))) return null;
        var taps = new int[spatial];        // sub-kernel size per axis (⌈K/s⌉, or K at stride 1)
        var padsBegin = new long[spatial];
        var padsEnd = new long[spatial];
        var sliceStart = new long[spatial];
        var length = new long[spatial];     // Conv output length per axis (per phase)
        bool slice = false;
        for (int i = 0; i < spatial; i++)
        {
            int s = (int)stride[i], k = ws[2 + i];
            long d = dilation[i], p = geometry.PadsBegin[i], inSize = xs[2 + i], outSize = ys[2 + i];
            taps[i] = (k + s - 1) / s;
            long span = (taps[i] - 1) * d + 1;
            long m0 = p / s, m1 = (p + inSize + s - 1) / s;    // phase rows covering input positions t = p .. p + I - 1
            padsBegin[i] = Math.Max(0, span - 1 - m0);
            long mStart = span - 1 - padsBegin[i];
            padsEnd[i] = Math.Max(0, m1 - outSize);
            length[i] = outSize + padsBegin[i] + padsEnd[i] - span + 1;
            sliceStart[i] = p - s * mStart;
            if (sliceStart[i] < 0 || s * length[i] < sliceStart[i] + inSize) return null;
            slice |= sliceStart[i] != 0 || s * length[i] != inSize;
        }

        // W'[group, phase r, input channel, output channel, flipped sub-kernel j]
        int phases = 1;
        foreach (long s in stride) phases *= checked((int)s);
        int subSize = taps.Aggregate(1, (a, t) => a * t), kernelSize = ws[2..].Aggregate(1, (a, k) => a * k);
        var transposed = new float[g * phases * cgIn * cgOut * subSize];
        var j = new int[spatial];
        var r = new int[spatial];
        for (int gi = 0; gi < g; gi++)
        for (int phase = 0; phase < phases; phase++)
        {
            for (int i = spatial - 1, rest = phase; i >= 0; i--) { r[i] = rest % (int)stride[i]; rest /= (int)stride[i]; }
            for (int sub = 0; sub < subSize; sub++)
            {
                for (int i = spatial - 1, rest = sub; i >= 0; i--) { j[i] = rest % taps[i]; rest /= taps[i]; }
                int tap = 0;
                bool inside = true;
                for (int i = 0; i < spatial; i++)
                {
                    int k = r[i] + (int)stride[i] * (taps[i] - 1 - j[i]);
                    inside &= k < ws[2 + i];
                    tap = tap * ws[2 + i] + k;
                }
                if (!inside) continue;
                for (int ci = 0; ci < cgIn; ci++)
                for (int co = 0; co < cgOut; co++)
                    transposed[(((gi * phases + phase) * cgIn + ci) * cgOut + co) * subSize + sub] =
                        weights[((gi * cgOut + co) * cgIn + ci) * kernelSize + tap];
            }
        }
        var kernelDims = new long[] { g * phases * cgIn, cgOut }.Concat(taps.Select(t => (long)t)).ToArray();
        var kernel = ctx.Floats(transposed, kernelDims);
        var gradient = ctx.Emit("Conv", [gy, kernel],
            GraphAttribute.IntList("kernel_shape", taps.Select(t => (long)t)),
            GraphAttribute.IntList("strides", Enumerable.Repeat(1L, spatial)),
            GraphAttribute.IntList("dilations", stride.Select((s, i) => s > 1 ? 1 : dilation[i])),
            GraphAttribute.IntList("pads", padsBegin.Concat(padsEnd)),
            GraphAttribute.Int("group", g));
        if (phases > 1) gradient = InterleavePhases(ctx, gradient, g, stride, cgIn, length);
        if (slice)
        {
            var axes = Enumerable.Range(2, spatial).Select(a => (long)a).ToArray();
            gradient = ctx.Emit("Slice", [gradient, ctx.Int64s(sliceStart), ctx.Int64s(sliceStart.Select((s, i) => s + xs[2 + i]).ToArray()), ctx.Int64s(axes)]);
        }
        return gradient;
    }

    /// <summary>
    /// Interleaves stride phases: <paramref name="phased"/> [N, g·Π s·c, L_1, …] with channels ordered (group, phase r_1…r_d,
    /// channel) becomes [N, g·c, L_1·s_1, …] with phase r at positions s·m + r. DepthToSpace where it applies (one group,
    /// 2-D, equal strides: ORT's profile shows it at about half the time of the general Reshape/Transpose/Reshape).
    /// </summary>
    public static string InterleavePhases(BackwardContext ctx, string phased, int groups, long[] stride, int channelsPerGroup, long[] length)
    {
        int spatial = stride.Length;
        if (groups == 1 && spatial == 2 && stride[0] == stride[1])
            return ctx.Emit("DepthToSpace", [phased], GraphAttribute.Int("blocksize", stride[0]), GraphAttribute.String("mode", "DCR"));
        // [N, g, r_1..r_d, c, L_1..L_d] → [N, g, c, L_1, r_1, …, L_d, r_d] → [N, g·c, L_1·s_1, …]
        var split = new long[] { 0, groups }.Concat(stride).Append(channelsPerGroup).Concat(length).ToArray();
        var perm = new List<long> { 0, 1, 2 + spatial };
        for (int i = 0; i < spatial; i++) { perm.Add(3 + spatial + i); perm.Add(2 + i); }
        var interleaved = ctx.Emit("Transpose", [ctx.Emit("Reshape", [phased, ctx.Int64s(split)])], GraphAttribute.IntList("perm", perm));
        return ctx.Emit("Reshape", [interleaved, ctx.Int64s([0, groups * channelsPerGroup, .. length.Select((l, i) => l * stride[i])])]);
    }
}
