using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Activation masks written so that ONNX Runtime's CPU provider keeps them in its blocked channel layout (NCHWc): a
/// depthwise 1×1 Conv with a huge per-channel weight, fused with a Clip to [0, 1], then a Mul with the gradient. A
/// Greater/Where mask is not an NCHWc op, so it made ORT reorder each forward activation it reads and each gradient it
/// masks to plain NCHW and back (ResNet18's profile: Where, Greater and the reorders they caused were ~14% of
/// forward+backward at batch 16).
/// <para>
/// Exactness: the weight is the power of two s = 2^(126 − e), e the bits of the bound b above 1 (|b| &lt; 2^e), so s·b stays
/// finite; Clip(s·(y − b)) is then 0 for y ≤ b and 1 for y ≥ b + 2^(e − 126) (scaling by a power of two is exact, and so is
/// the sign of the difference). For ReLU (b = 0) that is every normal float: only subnormal outputs get a fraction.
/// </para>
/// </summary>
internal static class BlockedLayoutMask
{
    /// <summary>ORT's NCHWc block on AVX-512 (16 floats; 8 on AVX2): channel counts that are multiples of it stay blocked on both.</summary>
    public const int Block = 16;

    /// <summary>
    /// Whether a tensor is a 4-D map whose channels ORT can keep blocked: a multiple of the block, on an x64 CPU with AVX2
    /// (elsewhere ORT has no NCHWc kernels, and a depthwise Conv mask would cost more than Greater/Where).
    /// </summary>
    public static bool Applies(BackwardContext ctx, string tensor) =>
        System.Runtime.Intrinsics.X86.Avx2.IsSupported && ctx.Shape(tensor) is { Length: 4 } s && s[1] % Block == 0;

    /// <summary>A constant float scalar bound small enough for the mask's scale (|b| ≤ 2^20), or null.</summary>
    public static float? Bound(BackwardContext ctx, string tensor) =>
        ctx.Constant(tensor) is { DataType: (int)TensorDataType.Float } t && t.ReadFloat() is [var b] && Math.Abs(b) <= 1 << 20 ? b : null;

    /// <summary>The float mask of <paramref name="tensor"/> &gt; <paramref name="bound"/> (or &lt; it when <paramref name="below"/>), per element.</summary>
    public static string Compare(BackwardContext ctx, string tensor, float bound, bool below = false)
    {
        int channels = ctx.Shape(tensor)[1];
        int bits = bound == 0 ? 0 : Math.Max(0, MathF.ILogB(Math.Abs(bound)) + 1);
        float scale = MathF.ScaleB(1f, 126 - bits);
        float weight = below ? -scale : scale;
        var kernel = ctx.Floats(Enumerable.Repeat(weight, channels).ToArray(), [channels, 1, 1, 1]);
        var bias = ctx.Floats(Enumerable.Repeat(-weight * bound, channels).ToArray(), [channels]);
        var scaled = ctx.Emit("Conv", [tensor, kernel, bias], GraphAttribute.Int("group", channels), GraphAttribute.IntList("kernel_shape", [1, 1]));
        return ctx.Emit("Clip", [scaled, ctx.Scalar(0f), ctx.Scalar(1f)]);
    }
}
