using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017): the saliency map averaged over noisy copies of the image, noise σ =
/// <see cref="NoiseLevel"/> × (max − min) of the image (the paper's 10–20%).
/// </summary>
public sealed class SmoothGrad(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>The registry entry: <c>smoothgrad</c> (25 noisy copies; 8 on the quick budget).</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "smoothgrad", DisplayName = "SmoothGrad", Order = 30, InReportByDefault = true,
        Summary = "SmoothGrad: saliency averaged over 25 noisy copies (noise 15% of the image's range); [H,W]",
        Pass = AttributionPass.InputGradient,
        Create = s => new SmoothGrad(s.Engine) { Samples = s.Quick ? 8 : 25, Seed = s.Seed, BatchSize = s.BatchSize },
    };

    /// <summary>Noisy copies per image (the paper uses about 50).</summary>
    public int Samples { get; init; } = 25;

    /// <summary>Noise standard deviation as a fraction of the image's value range.</summary>
    public float NoiseLevel { get; init; } = 0.15f;

    /// <summary>Seed of the noise.</summary>
    public int Seed { get; init; } = 1;

    /// <inheritdoc/>
    protected override int CopiesPerItem => Samples;

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target)
    {
        if (Samples < 1) throw new ArgumentOutOfRangeException(nameof(Samples), Samples, "at least one sample is needed.");
        var random = new Random(Seed);
        int n = batch.Shape[0], size = batch.Length / n;
        FloatTensor? sum = null;
        for (int item = 0; item < n; item++)
        {
            var image = batch.Rows(item, 1);
            float sigma = NoiseLevel * (image.Data.Max() - image.Data.Min());
            var total = new float[size / batch.Shape[1]];
            for (int done = 0; done < Samples;)
            {
                int count = Math.Min(Math.Max(1, BatchSize), Samples - done);
                var noisy = new FloatTensor([count, .. batch.Shape[1..]]);
                for (int k = 0; k < count; k++)
                for (int i = 0; i < size; i++)
                    noisy.Data[k * size + i] = image.Data[i] + sigma * Gaussian(random);
                var maps = MaxAbsOverChannels(InputGradient(noisy, target.Repeat(item, count)));
                for (int i = 0; i < maps.Length; i++) total[i % total.Length] += maps.Data[i];
                done += count;
            }
            sum ??= new FloatTensor([n, .. batch.Shape[2..]]);
            for (int i = 0; i < total.Length; i++) sum.Data[item * total.Length + i] = total[i] / Samples;
        }
        return sum!;
    }

    private static float Gaussian(Random r) => (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
}
