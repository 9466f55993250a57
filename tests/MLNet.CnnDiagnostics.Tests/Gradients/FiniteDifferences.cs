using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>Central finite differences of a target, evaluated by forward runs only (all perturbed inputs in one batch).</summary>
internal static class FiniteDifferences
{
    public static FloatTensor RandomInput(int[] shape, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var t = new FloatTensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return t;
    }

    /// <summary>
    /// A shuffled evenly spaced grid over [−1, 1]: any two elements differ by 2/n and none is 0, so a small step
    /// never swaps a max-pool winner or crosses a ReLU kink at the input, and the check tests the rule, not luck.
    /// </summary>
    public static FloatTensor SeparatedInput(int[] shape, int seed)
    {
        var t = new FloatTensor(shape);
        int n = t.Length;
        for (int i = 0; i < n; i++) t.Data[i] = -1f + (2f * i + 0.5f) / n;   // never exactly 0 (a ReLU kink)
        new Random(seed).Shuffle(t.Data);
        return t;
    }

    /// <summary>Gradient of the target at a single item <paramref name="x"/> ([1, ...]) by central differences of every element.</summary>
    public static double[] Gradient(GradientEngine engine, FloatTensor x, GradientTarget target, float step)
    {
        int d = x.Length;
        var batch = new FloatTensor([2 * d, .. x.Shape[1..]]);
        for (int i = 0; i < d; i++)
        {
            Array.Copy(x.Data, 0, batch.Data, 2 * i * d, d);
            Array.Copy(x.Data, 0, batch.Data, (2 * i + 1) * d, d);
            batch.Data[2 * i * d + i] += step;
            batch.Data[(2 * i + 1) * d + i] -= step;
        }
        var values = engine.Evaluate(batch, target).TargetValues;
        var g = new double[d];
        for (int i = 0; i < d; i++) g[i] = ((double)values[2 * i] - values[2 * i + 1]) / (2.0 * step);
        return g;
    }

    /// <summary>‖a − b‖ / ‖b‖.</summary>
    public static double RelativeError(IReadOnlyList<float> a, IReadOnlyList<double> b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < b.Count; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i]; }
        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }

    /// <summary>Analytic input gradient vs central differences for a random weighting of the model's output, at one random input.</summary>
    public static double Check(byte[] model, int[] inputShape, int seed = 7, float step = 1e-3f)
    {
        using var engine = new GradientEngine(model);
        return Check(engine, inputShape, seed, step);
    }

    /// <summary>The engine's input gradient of a random weighting of its default target against central differences.</summary>
    public static double Check(GradientEngine engine, int[] inputShape, int seed = 7, float step = 1e-3f)
    {
        var x = SeparatedInput(inputShape, seed);
        var outShape = engine.Builder.ItemShape(engine.Builder.DefaultTarget);
        var weights = RandomInput([(int)FloatTensor.ElementCount(outShape)], seed + 1).Data;
        var target = new WeightedTarget(weights);
        var analytic = engine.Compute(x, target).Gradients[engine.InputName].Data;
        var numeric = Gradient(engine, x, target, step);
        return RelativeError(analytic, numeric);
    }
}
