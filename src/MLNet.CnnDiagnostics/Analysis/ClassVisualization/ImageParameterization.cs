namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>What class visualization optimises: some parameters that make a batch of images with pixels in [0, 1].</summary>
internal abstract class ImageParameterization
{
    /// <summary>The current images [N, C, H, W], pixels in [0, 1].</summary>
    public abstract FloatTensor Image();

    /// <summary>One ascent step given the objective's gradient with respect to <see cref="Image"/>.</summary>
    public abstract void Ascend(FloatTensor imageGradient, int step);
}

/// <summary>Adam (Kingma and Ba 2015) ascending a parameter vector.</summary>
internal sealed class AdamAscent(int length, float learningRate)
{
    private readonly float[] _m = new float[length], _v = new float[length];

    public void Step(float[] x, float[] g, int t)
    {
        const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        float c1 = 1 - MathF.Pow(b1, t), c2 = 1 - MathF.Pow(b2, t);
        for (int i = 0; i < x.Length; i++)
        {
            _m[i] = b1 * _m[i] + (1 - b1) * g[i];
            _v[i] = b2 * _v[i] + (1 - b2) * g[i] * g[i];
            x[i] += learningRate * (_m[i] / c1) / (MathF.Sqrt(_v[i] / c2) + eps);
        }
    }
}
