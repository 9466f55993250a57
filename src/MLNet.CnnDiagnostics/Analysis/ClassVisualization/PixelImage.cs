namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>
/// Every pixel a parameter in [0, 1] (Yosinski et al. 2015): Adam steps, a decoupled decay toward mid-grey, clipping to
/// the valid range, and every few steps a Gaussian blur and a reset to grey of the pixels that differ least from it.
/// </summary>
internal sealed class PixelImage : ImageParameterization
{
    private const float Grey = 0.5f;
    private readonly FloatTensor _u;
    private readonly ClassVisualizationOptions _options;
    private readonly AdamAscent _adam;

    public PixelImage(int[] shape, ClassVisualizationOptions options, Random random)
    {
        _options = options;
        _u = new FloatTensor(shape);
        for (int i = 0; i < _u.Length; i++) _u.Data[i] = Math.Clamp(Grey + options.InitialNoise * (float)(random.NextDouble() * 2 - 1), 0f, 1f);
        _adam = new AdamAscent(_u.Length, options.LearningRate);
    }

    public override FloatTensor Image() => _u;

    public override void Ascend(FloatTensor imageGradient, int step)
    {
        _adam.Step(_u.Data, imageGradient.Data, step);
        float keep = 1 - _options.Decay;
        for (int i = 0; i < _u.Length; i++) _u.Data[i] = Math.Clamp(Grey + keep * (_u.Data[i] - Grey), 0f, 1f);
        if (_options.BlurEvery > 0 && step % _options.BlurEvery == 0)
        {
            GaussianBlur.Apply(_u, _options.BlurSigma);
            if (_options.SmallNormPercentile > 0) ResetSmallNorms(_u, _options.SmallNormPercentile);
        }
    }

    /// <summary>Resets to grey the pixels whose distance from grey (norm across channels) is below the given percentile of the image.</summary>
    private static void ResetSmallNorms(FloatTensor t, float percentile)
    {
        int n = t.Shape[0], c = t.Shape[1], plane = t.Shape[2] * t.Shape[3];
        var norms = new float[plane];
        for (int i = 0; i < n; i++)
        {
            for (int p = 0; p < plane; p++)
            {
                float s = 0;
                for (int ch = 0; ch < c; ch++) { float d = t.Data[(i * c + ch) * plane + p] - Grey; s += d * d; }
                norms[p] = s;
            }
            var sorted = (float[])norms.Clone();
            Array.Sort(sorted);
            float threshold = sorted[Math.Clamp((int)(percentile / 100f * plane), 0, plane - 1)];
            for (int p = 0; p < plane; p++)
                if (norms[p] < threshold)
                    for (int ch = 0; ch < c; ch++) t.Data[(i * c + ch) * plane + p] = Grey;
        }
    }
}
