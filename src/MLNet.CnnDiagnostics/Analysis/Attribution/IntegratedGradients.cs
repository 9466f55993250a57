using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// Integrated gradients (Sundararajan et al. 2017): (x − x′) ⊙ the mean gradient on the straight path from the baseline
/// x′ to x (midpoint rule with <see cref="Steps"/> points). Returns [N, C, H, W]; see <see cref="AttributionMethod.ConvergenceDelta"/>.
/// </summary>
public sealed class IntegratedGradients(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>The registry entry: <c>ig</c> (32 path points; 16 on the quick budget).</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "ig", Aliases = ["integrated-gradients"], DisplayName = "integrated gradients", Order = 40, InReportByDefault = true,
        Summary = "integrated gradients from a zero baseline, 32 path points; [C,H,W], drawn as the signed sum over channels",
        Pass = AttributionPass.InputGradient,
        Create = s => new IntegratedGradients(s.Engine) { Steps = s.Quick ? 16 : 32, BatchSize = s.BatchSize },
    };

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

    /// <inheritdoc/>
    public override bool HasCompleteness => true;

    /// <summary>Pixels score their total contribution: the signed sum over channels (a map sums to f(x) − f(x′)).</summary>
    public override ChannelReduction Reduction => ChannelReduction.Sum;

    /// <inheritdoc/>
    public override bool Signed => true;

    /// <inheritdoc/>
    protected override FloatTensor CompletenessBaselines(FloatTensor input)
    {
        int n = input.Shape[0], size = input.Length / n;
        var baseline = BaselineData(size);
        var baselines = new FloatTensor(input.Shape);
        for (int item = 0; item < n; item++) Array.Copy(baseline, 0, baselines.Data, item * size, size);
        return baselines;
    }

    private float[] BaselineData(int size)
    {
        if (Baseline is null) return new float[size];
        if (Baseline.Length != size)
            throw new CnnDiagnosticsException($"the baseline has {Baseline.Length} values; one input item has {size}.");
        return Baseline.Data;
    }
}
