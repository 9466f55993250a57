using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>
/// Class (or channel, or unit) visualisation by regularised gradient ascent in the model's input space: maximise the
/// target − L2 decay, with jitter, periodic Gaussian blur and clipping of small-norm pixels; several targets run as one batch.
/// </summary>
public sealed class ClassVisualizer
{
    private readonly GradientEngine _engine;

    /// <summary>Creates a visualiser over a gradient engine.</summary>
    public ClassVisualizer(GradientEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
    }

    /// <summary>
    /// Optimises <paramref name="count"/> images (one per batch item; use a per-item <see cref="ClassTarget"/> for several classes).
    /// Returns the images [count, C, H, W] in the model's input space and the final target values.
    /// </summary>
    public (FloatTensor Images, float[] TargetValues) Visualize(GradientTarget target, int count, ClassVisualizationOptions? options = null,
        IProgress<ClassVisualizationProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new ClassVisualizationOptions();
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one image is needed.");
        if (options.Steps < 1) throw new CnnDiagnosticsException($"Steps is {options.Steps}; at least 1 is needed.");
        var shape = _engine.Builder.ItemShape(_engine.InputName);
        if (shape.Length != 3) throw new CnnDiagnosticsException($"class visualisation needs an image input [C,H,W]; the model takes [{string.Join(",", shape)}].");
        int c = shape[0], h = shape[1], w = shape[2];
        var random = new Random(options.Seed);
        var x = new FloatTensor(count, c, h, w);
        for (int i = 0; i < x.Length; i++) x.Data[i] = options.InitialNoise * (float)(random.NextDouble() * 2 - 1);
        var m = new float[x.Length];
        var v = new float[x.Length];
        float[] values = [];
        for (int step = 1; step <= options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            int dy = random.Next(-options.Jitter, options.Jitter + 1), dx = random.Next(-options.Jitter, options.Jitter + 1);
            var shifted = Roll(x, dy, dx);
            var result = _engine.Compute(shifted, target);
            values = result.TargetValues;
            var g = Roll(result.Gradients[_engine.InputName], -dy, -dx);
            for (int i = 0; i < g.Length; i++) g.Data[i] -= options.L2Decay * x.Data[i];
            if (options.UseAdam) Adam(x.Data, g.Data, m, v, step, options.LearningRate);
            else
            {
                double mean = g.Data.Average(d => Math.Abs(d)) + 1e-12;
                for (int i = 0; i < x.Length; i++) x.Data[i] += (float)(options.LearningRate * g.Data[i] / mean);
            }
            if (options.BlurEvery > 0 && step % options.BlurEvery == 0)
            {
                GaussianBlur.Apply(x, options.BlurSigma);
                if (options.SmallNormPercentile > 0) ClipSmallNorms(x, options.SmallNormPercentile);
            }
            progress?.Report(new ClassVisualizationProgress(step, options.Steps, values));
        }
        values = _engine.Evaluate(x, target).TargetValues;
        foreach (var d in x.Data)
            if (!float.IsFinite(d)) throw new CnnDiagnosticsException("the ascent diverged (non-finite pixels); lower LearningRate or raise L2Decay.");
        return (x, values);
    }

    /// <summary>Maps input-space images back to 0..255 pixels by the inverse of (pixel − mean) / std per channel.</summary>
    public static FloatTensor ToPixels(FloatTensor images, float[] mean, float[] std)
    {
        int n = images.Shape[0], c = images.Shape[1], plane = images.Length / (n * c);
        if (mean.Length != c || std.Length != c) throw new CnnDiagnosticsException($"mean/std have {mean.Length}/{std.Length} values; the images have {c} channels.");
        var pixels = new FloatTensor(images.Shape);
        for (int i = 0; i < images.Length; i++)
        {
            int ch = i / plane % c;
            pixels.Data[i] = Math.Clamp(images.Data[i] * std[ch] + mean[ch], 0f, 255f);
        }
        return pixels;
    }

    private static void Adam(float[] x, float[] g, float[] m, float[] v, int t, float lr)
    {
        const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        float c1 = 1 - MathF.Pow(b1, t), c2 = 1 - MathF.Pow(b2, t);
        for (int i = 0; i < x.Length; i++)
        {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            x[i] += lr * (m[i] / c1) / (MathF.Sqrt(v[i] / c2) + eps);
        }
    }

    /// <summary>Circular shift of every plane by (dy, dx).</summary>
    private static FloatTensor Roll(FloatTensor t, int dy, int dx)
    {
        int h = t.Shape[2], w = t.Shape[3], planes = t.Length / (h * w);
        var r = new FloatTensor(t.Shape);
        for (int p = 0; p < planes; p++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            r.Data[p * h * w + ((y + dy) % h + h) % h * w + ((x + dx) % w + w) % w] = t.Data[p * h * w + y * w + x];
        return r;
    }

    /// <summary>Zeroes pixels whose norm across channels is below the given percentile of the image (Yosinski et al.).</summary>
    private static void ClipSmallNorms(FloatTensor t, float percentile)
    {
        int n = t.Shape[0], c = t.Shape[1], plane = t.Shape[2] * t.Shape[3];
        var norms = new float[plane];
        for (int i = 0; i < n; i++)
        {
            for (int p = 0; p < plane; p++)
            {
                float s = 0;
                for (int ch = 0; ch < c; ch++) { float d = t.Data[(i * c + ch) * plane + p]; s += d * d; }
                norms[p] = s;
            }
            var sorted = (float[])norms.Clone();
            Array.Sort(sorted);
            float threshold = sorted[Math.Clamp((int)(percentile / 100f * plane), 0, plane - 1)];
            for (int p = 0; p < plane; p++)
                if (norms[p] < threshold)
                    for (int ch = 0; ch < c; ch++) t.Data[(i * c + ch) * plane + p] = 0;
        }
    }
}
