using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// Integrated gradients (Sundararajan et al. 2017): (x − x′) ⊙ the mean gradient on the straight path from the baseline
/// x′ to x (midpoint rule with <see cref="Steps"/> points). Returns [N, C, H, W]; see <see cref="Completeness"/>.
/// </summary>
public sealed class IntegratedGradients(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>Points on the path (the paper: 20 to 300).</summary>
    public int Steps { get; init; } = 32;

    /// <summary>The baseline x′ as one item [1, C, H, W]; null means all zeros (for mean-subtracted inputs: the mean image).</summary>
    public FloatTensor? Baseline { get; init; }

    /// <inheritdoc/>
    protected override int CopiesPerItem => Steps;

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target)
    {
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "at least one step is needed.");
        int n = batch.Shape[0], size = batch.Length / n;
        var baseline = BaselineData(size);
        var result = new FloatTensor(batch.Shape);
        for (int item = 0; item < n; item++)
        {
            var mean = new double[size];
            for (int done = 0; done < Steps;)
            {
                int count = Math.Min(Math.Max(1, BatchSize), Steps - done);
                var path = new FloatTensor([count, .. batch.Shape[1..]]);
                for (int k = 0; k < count; k++)
                {
                    float alpha = (done + k + 0.5f) / Steps;
                    for (int i = 0; i < size; i++)
                        path.Data[k * size + i] = baseline[i] + alpha * (batch.Data[item * size + i] - baseline[i]);
                }
                var g = InputGradient(path, target.Repeat(item, count));
                for (int i = 0; i < g.Length; i++) mean[i % size] += g.Data[i];
                done += count;
            }
            for (int i = 0; i < size; i++)
                result.Data[item * size + i] = (float)((batch.Data[item * size + i] - baseline[i]) * mean[i] / Steps);
        }
        return result;
    }

    /// <summary>
    /// Completeness: per item, the attributions' sum and f(x) − f(x′), which the sum should approach as steps grow.
    /// </summary>
    public (double Sum, double Difference)[] Completeness(FloatTensor input, GradientTarget target, FloatTensor attributions)
    {
        int n = input.Shape[0], size = input.Length / n;
        var baseline = BaselineData(size);
        var baselines = new FloatTensor(input.Shape);
        for (int item = 0; item < n; item++) Array.Copy(baseline, 0, baselines.Data, item * size, size);
        var fx = Engine.Evaluate(input, target).TargetValues;
        var fb = Engine.Evaluate(baselines, target).TargetValues;
        return Enumerable.Range(0, n)
            .Select(item => (attributions.Data.Skip(item * size).Take(size).Sum(v => (double)v), (double)fx[item] - fb[item]))
            .ToArray();
    }

    private float[] BaselineData(int size)
    {
        if (Baseline is null) return new float[size];
        if (Baseline.Length != size)
            throw new CnnDiagnosticsException($"the baseline has {Baseline.Length} values; one input item has {size}.");
        return Baseline.Data;
    }
}
