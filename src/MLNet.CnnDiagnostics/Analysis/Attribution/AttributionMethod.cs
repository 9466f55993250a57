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

    /// <summary>Model inputs one item expands to (noisy copies, path points); 1 for plain gradient methods.</summary>
    protected virtual int CopiesPerItem => 1;

    /// <summary>Explains one batch; returns [n, ...] maps.</summary>
    protected abstract FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target);

    /// <summary>max over channels of |g| for [N, C, H, W] → [N, H, W] (Simonyan et al. 2013).</summary>
    protected static FloatTensor MaxAbsOverChannels(FloatTensor g)
    {
        int n = g.Shape[0], c = g.Shape[1], plane = g.Length / (n * c);
        var map = new FloatTensor([n, .. g.Shape[2..]]);
        for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++)
        for (int p = 0; p < plane; p++)
            map.Data[i * plane + p] = Math.Max(map.Data[i * plane + p], Math.Abs(g.Data[(i * c + ch) * plane + p]));
        return map;
    }

    /// <summary>The input gradient for a batch.</summary>
    protected FloatTensor InputGradient(FloatTensor batch, GradientTarget target, bool guided = false) =>
        Engine.Compute(batch, target, guidedRelu: guided).Gradients[Engine.InputName];
}
