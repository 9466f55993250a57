using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// The one verb of every attribution method (Captum's <c>attribute</c>): <see cref="Attribute"/> takes a batch of model
/// inputs and a target and returns one map per item. The base class owns batching; a method only says how a batch is explained.
/// </summary>
public abstract class AttributionMethod
{
    /// <summary>Creates the method over a gradient engine.</summary>
    protected AttributionMethod(GradientEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
    }

    /// <summary>The engine that runs forward and backward passes.</summary>
    protected GradientEngine Engine { get; }

    /// <summary>Largest number of model inputs sent to one run (bounds memory); methods that expand each image (noise, paths, patches) count the copies.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Attributes the target's value for each item of <paramref name="input"/> [N, C, H, W].</summary>
    public FloatTensor Attribute(FloatTensor input, GradientTarget target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "the batch size must be at least 1.");
        if (input.Rank == 0 || input.Shape[0] == 0) throw new CnnDiagnosticsException("the input batch is empty.");
        int n = input.Shape[0];
        int chunk = Math.Max(1, Math.Min(n, BatchSize / Math.Max(1, CopiesPerItem)));
        var parts = new List<FloatTensor>();
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            parts.Add(AttributeBatch(input.Rows(start, count), target.ForItems(start, count)));
        }
        return parts.Count == 1 ? parts[0] : new FloatTensor([n, .. parts[0].Shape[1..]], parts.SelectMany(p => p.Data).ToArray());
    }

    /// <summary>
    /// <see cref="Attribute"/> wrapped as the shared result type: the values with the image size, this method's channel
    /// reduction and sign, so every consumer draws and ranks the map the same way.
    /// </summary>
    public AttributionMap Explain(FloatTensor input, GradientTarget target)
    {
        var values = Attribute(input, target);
        return new AttributionMap(values, input.Shape[^2], input.Shape[^1], Reduction, Signed);
    }

    /// <summary>How maps with channels are reduced to one value per pixel (for display and pixel ranking); maps without channels ignore it.</summary>
    public virtual ChannelReduction Reduction => ChannelReduction.MaxAbs;

    /// <summary>Whether the reduced map carries sign (zero neutral); false for magnitudes and rectified maps.</summary>
    public virtual bool Signed => false;

    /// <summary>
    /// Whether the method satisfies completeness (Sundararajan et al.'s axiom): per image, the attributions sum to
    /// f(x) − f(x′) for its baseline x′, so <see cref="ConvergenceDelta"/> measures how far a run is from it.
    /// Grad-CAM, saliency or occlusion have no such axiom.
    /// </summary>
    public virtual bool HasCompleteness => false;

    /// <summary>
    /// Completeness: per item, the attributions' sum and f(x) − f(x′), which the sum should approach (as steps grow, for
    /// path methods). Throws for methods without a completeness axiom (<see cref="HasCompleteness"/>).
    /// </summary>
    public (double Sum, double Difference)[] Completeness(FloatTensor input, GradientTarget target, FloatTensor attributions)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(attributions);
        if (!HasCompleteness)
            throw new NotSupportedException($"{GetType().Name} has no completeness axiom: its attributions need not sum to f(x) - f(baseline).");
        var baselines = CompletenessBaselines(input);
        int n = input.Shape[0], size = input.Length / n;
        if (attributions.Length != input.Length)
            throw new CnnDiagnosticsException($"attributions [{string.Join(",", attributions.Shape)}] do not match the input [{string.Join(",", input.Shape)}]; completeness needs one value per input value.");
        var fx = Engine.Evaluate(input, target).TargetValues;
        var fb = Engine.Evaluate(baselines, target).TargetValues;
        var result = new (double, double)[n];
        for (int item = 0; item < n; item++)
        {
            double sum = 0;
            for (int i = 0; i < size; i++) sum += attributions.Data[item * size + i];
            result[item] = (sum, (double)fx[item] - fb[item]);
        }
        return result;
    }

    /// <summary>
    /// Captum's <c>compute_convergence_delta</c>: per item, Σ attributions − (f(x) − f(x′)); near zero when the
    /// method's completeness holds for this run. Throws for methods without a completeness axiom.
    /// </summary>
    public double[] ConvergenceDelta(FloatTensor input, GradientTarget target, FloatTensor attributions) =>
        Completeness(input, target, attributions).Select(c => c.Sum - c.Difference).ToArray();

    /// <summary>The baseline x′ of every item of <paramref name="input"/> [N, C, H, W], for methods with completeness (default: zeros).</summary>
    protected virtual FloatTensor CompletenessBaselines(FloatTensor input) => new(input.Shape);

    /// <summary>Model inputs one item expands to (noisy copies, path points); 1 for plain gradient methods.</summary>
    protected virtual int CopiesPerItem => 1;

    /// <summary>Explains one batch; returns [n, ...] maps.</summary>
    protected abstract FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target);

    /// <summary>max over channels of |g| for [N, C, H, W] → [N, H, W] (Simonyan et al. 2013).</summary>
    protected static FloatTensor MaxAbsOverChannels(FloatTensor g) => ChannelReduction.MaxAbs.Reduce(g);

    /// <summary>The input gradient for a batch.</summary>
    protected FloatTensor InputGradient(FloatTensor batch, GradientTarget target, bool guided = false) =>
        Engine.Compute(batch, target, guidedRelu: guided).Gradients[Engine.InputName];
}
