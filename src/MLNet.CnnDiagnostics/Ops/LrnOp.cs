using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// LRN across channels: y_c = x_c·s_c^(−β), s_c = bias + α/size·Σ_{j∈W(c)} x_j², W(c) = [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉].
/// ∂L/∂x_k = gy_k·s_k^(−β) − (2αβ/size)·x_k·Σ_{c: k∈W(c)} gy_c·x_c·s_c^(−β−1). Both window sums are a Conv with a
/// column of ones over the channels (the second with the padding mirrored). Receptive field: position-wise (it mixes channels only).
/// </summary>
internal sealed class LrnOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["LRN"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0];
        int channels = ctx.Shape(x)[1];
        long size = NodeAttributes.GetInt(node, "size", 0);
        if (size <= 0) throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no positive 'size'.");
        float alpha = NodeAttributes.GetFloat(node, "alpha", 1e-4f), beta = NodeAttributes.GetFloat(node, "beta", 0.75f), bias = NodeAttributes.GetFloat(node, "bias", 1f);
        long before = (size - 1) / 2, after = size - 1 - before;
        // channels become the rows of a one-channel image: [N, 1, C, rest]
        var asRows = ctx.Int64s(0, 1, channels, -1);
        var ones = ctx.Floats(Enumerable.Repeat(1f, (int)size).ToArray(), [1, 1, size, 1]);
        string WindowSum(string t, long padBegin, long padEnd) =>
            ctx.Emit("Conv", [t, ones], GraphAttribute.IntList("kernel_shape", [size, 1]), GraphAttribute.IntList("pads", [padBegin, 0, padEnd, 0]));
        var xr = ctx.Emit("Reshape", [x, asRows]);
        var gr = ctx.Emit("Reshape", [gy, asRows]);
        var s = ctx.Emit("Add", [ctx.Scalar(bias), ctx.Emit("Mul", [WindowSum(ctx.Emit("Mul", [xr, xr]), before, after), ctx.Scalar(alpha / size)])]);
        var power = ctx.Emit("Pow", [s, ctx.Scalar(-beta)]);                        // s^(−β)
        var direct = ctx.Emit("Mul", [gr, power]);
        var spread = WindowSum(ctx.Emit("Mul", [ctx.Emit("Mul", [gr, xr]), ctx.Emit("Div", [power, s])]), after, before);
        var dx = ctx.Emit("Sub", [direct, ctx.Emit("Mul", [xr, ctx.Emit("Mul", [spread, ctx.Scalar(2 * alpha * beta / size)])])]);
        return [ctx.ReshapeLike(dx, x)];
    }
}
