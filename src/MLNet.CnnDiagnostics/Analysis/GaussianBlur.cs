namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Separable Gaussian blur of the planes of a [..., H, W] tensor, in place (class visualization's regulariser, insertion's blurred start).</summary>
internal static class GaussianBlur
{
    /// <summary>Blurs every [H, W] plane of <paramref name="t"/> in place (kernel radius ⌈2σ⌉, edges clamped); σ ≤ 0 leaves it as is.</summary>
    public static void Apply(FloatTensor t, float sigma)
    {
        if (sigma <= 0) return;
        int radius = Math.Max(1, (int)Math.Ceiling(2 * sigma));
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(k => MathF.Exp(-k * k / (2 * sigma * sigma))).ToArray();
        float total = kernel.Sum();
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= total;
        int h = t.Shape[^2], w = t.Shape[^1], planes = t.Length / (h * w);
        var tmp = new float[h * w];
        for (int p = 0; p < planes; p++)
        {
            var plane = t.Data.AsSpan(p * h * w, h * w);
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = 0;
                for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * plane[y * w + Math.Clamp(x + k, 0, w - 1)];
                tmp[y * w + x] = s;
            }
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float s = 0;
                for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * tmp[Math.Clamp(y + k, 0, h - 1) * w + x];
                plane[y * w + x] = s;
            }
        }
    }
}
