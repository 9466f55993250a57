using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;

/// <summary>
/// Deletion and insertion curves (Petsiuk et al. 2018, RISE): pixels are replaced in the order an attribution map ranks
/// them, in <see cref="Steps"/> equal steps, and the target's score is recorded after each step (forward passes only,
/// <see cref="BatchSize"/> perturbed copies per run). Deletion moves from the image to <see cref="Baseline"/>; insertion
/// moves from the baseline (by default the image blurred with <see cref="BlurSigma"/>) to the image. Compare a map's
/// area with <see cref="MeasureRandomOrder"/>'s: a faithful map deletes to a lower area and inserts to a higher one.
/// </summary>
public sealed class CausalMetric
{
    private readonly GradientEngine _engine;

    /// <summary>Creates a deletion or insertion metric over a gradient engine (only its forward pass is used).</summary>
    public CausalMetric(GradientEngine engine, CausalMetricKind kind)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "the kind is Deletion or Insertion.");
        _engine = engine;
        Kind = kind;
    }

    /// <summary>Deletion or insertion.</summary>
    public CausalMetricKind Kind { get; }

    /// <summary>Number of steps from start to end; the curve has Steps + 1 points (RISE: one step per image row's worth of pixels).</summary>
    public int Steps { get; init; } = 32;

    /// <summary>Largest number of perturbed images sent to one forward run (bounds memory).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// The baseline as one item [1, C, H, W] or one per item [N, C, H, W]. Null: zeros for deletion (for mean-subtracted
    /// inputs, the mean image), the image blurred by <see cref="BlurSigma"/> for insertion (RISE's choices).
    /// </summary>
    public FloatTensor? Baseline { get; init; }

    /// <summary>Standard deviation in pixels of the Gaussian blur that makes insertion's default start (RISE: 5).</summary>
    public float BlurSigma { get; init; } = 5f;

    /// <summary>Curves for the pixel orders of attribution maps (see <see cref="PixelOrder.ByAttribution(FloatTensor, int, int)"/> for the shapes taken).</summary>
    public CausalCurve[] Measure(FloatTensor input, FloatTensor attributions, GradientTarget target)
    {
        var (n, h, w) = ImageShape(input);
        ArgumentNullException.ThrowIfNull(attributions);
        if (attributions.Rank == 0 || attributions.Shape[0] != n)
            throw new CnnDiagnosticsException($"attribution maps [{string.Join(",", attributions.Shape)}] are not one map per image of the input [{string.Join(",", input.Shape)}]; expected {n} maps.");
        return Measure(input, PixelOrder.ByAttribution(attributions, h, w), target);
    }

    /// <summary>Curves for the pixel orders of attribution maps as they are drawn (each map's own channel reduction and upsampling).</summary>
    public CausalCurve[] Measure(FloatTensor input, AttributionMap map, GradientTarget target)
    {
        var (n, h, w) = ImageShape(input);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Count != n || map.ImageHeight != h || map.ImageWidth != w)
            throw new CnnDiagnosticsException($"attribution maps of {map.Count} {map.ImageHeight}×{map.ImageWidth} images do not explain the input [{string.Join(",", input.Shape)}].");
        return Measure(input, PixelOrder.ByAttribution(map), target);
    }

    /// <summary>Curves for random pixel orders: per image the mean curve over <paramref name="repeats"/> orders, the baseline a map must beat.</summary>
    public CausalCurve[] MeasureRandomOrder(FloatTensor input, GradientTarget target, int seed = 0, int repeats = 1)
    {
        var (n, h, w) = ImageShape(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        var random = new Random(seed);
        var orders = Enumerable.Range(0, n * repeats).Select(_ => PixelOrder.Random(h * w, random)).ToArray();
        var result = new CausalCurve[n];
        for (int item = 0; item < n; item++)
        {
            var curves = Enumerable.Range(0, repeats).Select(r => Curve(input, item, orders[item * repeats + r], target)).ToList();
            result[item] = CausalCurve.Average(curves);
        }
        return result;
    }

    /// <summary>Curves for given pixel orders: one permutation of 0..H·W−1 (indices y·W + x) per image, most important first.</summary>
    public CausalCurve[] Measure(FloatTensor input, IReadOnlyList<int[]> pixelOrders, GradientTarget target)
    {
        var (n, h, w) = ImageShape(input);
        ArgumentNullException.ThrowIfNull(pixelOrders);
        ArgumentNullException.ThrowIfNull(target);
        if (pixelOrders.Count != n)
            throw new CnnDiagnosticsException($"there are {pixelOrders.Count} pixel orders for {n} images; one order per image is needed.");
        for (int item = 0; item < n; item++) RequirePermutation(pixelOrders[item], item, h * w);
        return Enumerable.Range(0, n).Select(item => Curve(input, item, pixelOrders[item], target)).ToArray();
    }

    private (int N, int H, int W) ImageShape(FloatTensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Shape.Any(d => d == 0))
            throw new CnnDiagnosticsException($"the input has shape [{string.Join(",", input.Shape)}]; causal metrics take a non-empty image batch [N, C, H, W].");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "at least one step is needed.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "the batch size must be at least 1.");
        if (Baseline is { } b && (b.Rank != 4 || (b.Shape[0] != 1 && b.Shape[0] != input.Shape[0]) || !b.Shape.AsSpan(1).SequenceEqual(input.Shape.AsSpan(1))))
            throw new CnnDiagnosticsException($"the baseline has shape [{string.Join(",", b.Shape)}]; for the input [{string.Join(",", input.Shape)}] it must be [1,{string.Join(",", input.Shape[1..])}] or [{string.Join(",", input.Shape)}].");
        return (input.Shape[0], input.Shape[2], input.Shape[3]);
    }

    private static void RequirePermutation(int[] order, int item, int pixels)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Length != pixels)
            throw new CnnDiagnosticsException($"the pixel order of image {item} has {order.Length} entries; a {pixels}-pixel image needs each of 0..{pixels - 1} once.");
        var seen = new bool[pixels];
        foreach (int p in order)
        {
            if ((uint)p >= (uint)pixels || seen[p])
                throw new CnnDiagnosticsException($"the pixel order of image {item} holds {p} {((uint)p >= (uint)pixels ? "outside" : "twice in")} 0..{pixels - 1}; each pixel must appear once.");
            seen[p] = true;
        }
    }

    /// <summary>The image the curve starts from and the one it ends at, [C, H, W] each.</summary>
    private (float[] Start, float[] End) Ends(FloatTensor input, int item)
    {
        int size = input.Length / input.Shape[0];
        var image = input.Data.AsSpan(item * size, size).ToArray();
        float[] baseline;
        if (Baseline is { } b) baseline = b.Data.AsSpan(b.Shape[0] == 1 ? 0 : item * size, size).ToArray();
        else if (Kind == CausalMetricKind.Deletion) baseline = new float[size];
        else
        {
            var blurred = new FloatTensor(input.Shape[1..], (float[])image.Clone());
            GaussianBlur.Apply(blurred, BlurSigma);
            baseline = blurred.Data;
        }
        return Kind == CausalMetricKind.Deletion ? (image, baseline) : (baseline, image);
    }

    private CausalCurve Curve(FloatTensor input, int item, int[] order, GradientTarget target)
    {
        int c = input.Shape[1], plane = input.Shape[2] * input.Shape[3], size = c * plane;
        var (work, end) = Ends(input, item);
        var counts = Enumerable.Range(0, Steps + 1).Select(k => (int)(((long)k * plane + Steps / 2) / Steps)).ToArray();
        var scores = new float[Steps + 1];
        for (int first = 0; first <= Steps; first += BatchSize)
        {
            int count = Math.Min(BatchSize, Steps + 1 - first);
            var batch = new FloatTensor([count, .. input.Shape[1..]]);
            for (int k = 0; k < count; k++)
            {
                int step = first + k;
                // pixels order[counts[step − 1] .. counts[step]) switch to the end image (all channels)
                for (int r = step == 0 ? 0 : counts[step - 1]; r < counts[step]; r++)
                    for (int ch = 0; ch < c; ch++) work[ch * plane + order[r]] = end[ch * plane + order[r]];
                Array.Copy(work, 0, batch.Data, k * size, size);
            }
            _engine.Evaluate(batch, target.Repeat(item, count)).TargetValues.CopyTo(scores, first);
        }
        return new CausalCurve(Kind, counts.Select(m => (double)m / plane).ToArray(), scores);
    }
}
