using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// The backward pass shared by LayerNormalization, InstanceNormalization and GroupNormalization: for
/// x̂ = (x − μ)·r, r = 1/√(σ² + ε), with μ and σ² over <c>axes</c> and g = ∂L/∂x̂ (the output gradient times the scale),
/// ∂L/∂x = r·(g − mean(g) − x̂·mean(g·x̂)). The statistics are recomputed with ReduceSum (axes as an input, valid at
/// every opset from 13), so the rule does not depend on the forward node's optional Mean/InvStdDev outputs.
/// </summary>
internal static class NormalizationGradient
{
    /// <param name="ctx">The backward context.</param>
    /// <param name="x">The normalised tensor.</param>
    /// <param name="g">The gradient with respect to x̂ (same shape as <paramref name="x"/>).</param>
    /// <param name="axes">The axes the statistics run over (non-negative).</param>
    /// <param name="count">How many elements each statistic averages, or null to measure it at run time (when the batch axis is among them).</param>
    /// <param name="epsilon">The op's epsilon.</param>
    public static string Input(BackwardContext ctx, string x, string g, long[] axes, long? count, float epsilon)
    {
        var axesInput = ctx.Int64s(axes);
        string Sum(string t) => ctx.Emit("ReduceSum", [t, axesInput], GraphAttribute.Int("keepdims", 1));
        var sumX = Sum(x);
        string n = count is { } c ? ctx.Scalar(c) : ctx.SizeRatio(x, sumX);
        string Mean(string t, string? sum = null) => ctx.Emit("Div", [sum ?? Sum(t), n]);
        var centered = ctx.Emit("Sub", [x, Mean(x, sumX)]);
        var variance = Mean(ctx.Emit("Mul", [centered, centered]));
        var inverseStd = ctx.Emit("Reciprocal", [ctx.Emit("Sqrt", [ctx.Emit("Add", [variance, ctx.Scalar(epsilon)])])]);
        var normalized = ctx.Emit("Mul", [centered, inverseStd]);
        var correction = ctx.Emit("Add", [Mean(g), ctx.Emit("Mul", [normalized, Mean(ctx.Emit("Mul", [g, normalized]))])]);
        return ctx.Emit("Mul", [inverseStd, ctx.Emit("Sub", [g, correction])]);
    }

    /// <summary>A per-channel vector ([C]) reshaped to broadcast over an [N, C, ...] tensor of rank <paramref name="rank"/>.</summary>
    public static string PerChannel(BackwardContext ctx, string vector, int rank) =>
        ctx.Emit("Reshape", [vector, ctx.Int64s([-1, .. Enumerable.Repeat(1L, rank - 2)])]);
}
