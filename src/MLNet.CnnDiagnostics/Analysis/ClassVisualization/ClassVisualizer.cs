using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>
/// Class (or channel, or unit) visualisation by regularised gradient ascent on the image in its own pixel units ([0, 1]),
/// mapped to the model's input by the options' pixel mean, standard deviation and maximum; jitter, and the
/// parameterisation's own regularisers (blur, decay and clipping for pixels; a preconditioned Fourier basis for Lucid's).
/// Several targets run as one batch.
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
        var (scale, offset) = ModelUnits(options, c);
        var random = new Random(options.Seed);
        ImageParameterization image = options.Parameterization switch
        {
            ClassVisualizationParameterization.Lucid => new LucidImage([count, c, h, w], options, random),
            _ => new PixelImage([count, c, h, w], options, random),
        };
        float[] values = [];
        for (int step = 1; step <= options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            int dy = random.Next(-options.Jitter, options.Jitter + 1), dx = random.Next(-options.Jitter, options.Jitter + 1);
            var result = _engine.Compute(Roll(ToModel(image.Image(), scale, offset), dy, dx), target);
            values = result.TargetValues;
            // chain rule through x = u·scale + offset: ∂f/∂u = ∂f/∂x · scale
            var g = Roll(result.Gradients[_engine.InputName], -dy, -dx);
            int plane = h * w;
            for (int i = 0; i < g.Length; i++) g.Data[i] *= scale[i / plane % c];
            image.Ascend(g, step);
            progress?.Report(new ClassVisualizationProgress(step, options.Steps, values));
        }
        var x = ToModel(image.Image(), scale, offset);
        values = _engine.Evaluate(x, target).TargetValues;
        foreach (var d in x.Data)
            if (!float.IsFinite(d)) throw new CnnDiagnosticsException("the ascent diverged (non-finite pixels); lower LearningRate.");
        return (x, values);
    }

    /// <summary>
    /// The model input of an image u in [0, 1]: x = (u·max − mean)/std per channel, as scale and offset per channel;
    /// throws when the options' mean or std do not match the model's channels.
    /// </summary>
    internal static (float[] Scale, float[] Offset) ModelUnits(ClassVisualizationOptions options, int channels)
    {
        float Pick(float[] values, int ch, float fallback, string name) => values.Length switch
        {
            0 => fallback,
            1 => values[0],
            _ when values.Length == channels => values[ch],
            _ => throw new CnnDiagnosticsException($"{name} has {values.Length} values; the model takes {channels} channel(s): give {channels} value(s), one for all, or none."),
        };
        if (!(options.PixelMaxValue > 0)) throw new CnnDiagnosticsException($"PixelMaxValue is {options.PixelMaxValue}; it must be positive (255 for 0..255 pixels, 1 for [0,1]).");
        var scale = new float[channels];
        var offset = new float[channels];
        for (int ch = 0; ch < channels; ch++)
        {
            float mean = Pick(options.PixelMean, ch, 0f, nameof(options.PixelMean)), std = Pick(options.PixelStd, ch, 1f, nameof(options.PixelStd));
            if (!(std > 0)) throw new CnnDiagnosticsException($"PixelStd of channel {ch} is {std}; it must be positive.");
            scale[ch] = options.PixelMaxValue / std;
            offset[ch] = -mean / std;
        }
        return (scale, offset);
    }

    private static FloatTensor ToModel(FloatTensor u, float[] scale, float[] offset)
    {
        int c = u.Shape[1], plane = u.Shape[2] * u.Shape[3];
        var x = new FloatTensor(u.Shape);
        for (int i = 0; i < u.Length; i++)
        {
            int ch = i / plane % c;
            x.Data[i] = u.Data[i] * scale[ch] + offset[ch];
        }
        return x;
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
}
