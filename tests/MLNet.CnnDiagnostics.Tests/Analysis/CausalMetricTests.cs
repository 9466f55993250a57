using MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Tests.Gradients;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

/// <summary>
/// Deletion and insertion curves on a linear model y = Σ w ⊙ x + b (a conv whose kernel covers the 2×6×6 image): replacing
/// pixel p by 0 changes y by exactly its contribution Σ_c w_c x_c(p), so every curve is known in closed form and the
/// true attribution w ⊙ x is the best possible order.
/// </summary>
[TestClass]
public sealed class CausalMetricTests
{
    private const int Pixels = 36;

    private static readonly Lazy<(GradientEngine Engine, float[] W, float B)> Linear = new(() =>
    {
        var m = new TinyModel([1, 2, 6, 6], seed: 3);
        m.Node("Conv", ["x", m.Weight("w", 1, 2, 6, 6), m.Weight("b", 1)], "y");
        var r = new Random(3);   // TinyModel draws its weights in this order from Random(seed)
        var w = Enumerable.Range(0, 72).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        float b = (float)(r.NextDouble() * 2 - 1);
        return (new GradientEngine(m.Build("y")), w, b);
    });

    private static GradientEngine Engine => Linear.Value.Engine;

    private static FloatTensor Images() => FiniteDifferences.RandomInput([2, 2, 6, 6], 8);

    /// <summary>Per image, each pixel's contribution Σ_c w_c x_c(p) (what deleting it to 0 removes).</summary>
    private static double[][] Contributions(FloatTensor x)
    {
        var w = Linear.Value.W;
        return Enumerable.Range(0, x.Shape[0]).Select(n => Enumerable.Range(0, Pixels)
            .Select(p => (double)w[p] * x.Data[n * 72 + p] + (double)w[36 + p] * x.Data[n * 72 + 36 + p]).ToArray()).ToArray();
    }

    /// <summary>w ⊙ x as [N, 2, 6, 6]: the exact attribution of the linear model (gradient × input).</summary>
    private static FloatTensor TrueAttribution(FloatTensor x)
    {
        var w = Linear.Value.W;
        var a = new FloatTensor(x.Shape);
        for (int i = 0; i < a.Length; i++) a.Data[i] = w[i % 72] * x.Data[i];
        return a;
    }

    private static double Trapezoid(double[] y) => Enumerable.Range(1, y.Length - 1).Sum(k => (y[k] + y[k - 1]) / 2) / (y.Length - 1);

    private static float F(FloatTensor image) => Engine.Evaluate(image, new ClassTarget(0)).TargetValues[0];

    [TestMethod]
    public void Deletion_ByTheTrueAttribution_FollowsTheClosedFormAndBeatsRandomAndReversedOrders()
    {
        var x = Images();
        var target = new ClassTarget(0);
        var metric = new CausalMetric(Engine, CausalMetricKind.Deletion) { Steps = 12, BatchSize = 5 };
        var curves = metric.Measure(x, TrueAttribution(x), target);
        var random = metric.MeasureRandomOrder(x, target, seed: 1, repeats: 4);
        var orders = PixelOrder.ByAttribution(TrueAttribution(x), 6, 6);
        var reversed = metric.Measure(x, orders.Select(o => o.Reverse().ToArray()).ToArray(), target);
        var contributions = Contributions(x);
        for (int n = 0; n < 2; n++)
        {
            var c = contributions[n];
            var byContribution = Enumerable.Range(0, Pixels).OrderByDescending(p => c[p]).ToArray();
            // after step k the top 3k pixels are 0: y = b + Σ c − Σ_top c
            var expected = Enumerable.Range(0, 13).Select(k => Linear.Value.B + c.Sum() - byContribution.Take(3 * k).Sum(p => c[p])).ToArray();
            var curve = curves[n];
            Assert.AreEqual(CausalMetricKind.Deletion, curve.Kind);
            CollectionAssert.AreEqual(Enumerable.Range(0, 13).Select(k => k / 12.0).ToArray(), curve.Fractions);
            for (int k = 0; k <= 12; k++) Assert.AreEqual(expected[k], curve.Scores[k], 1e-5, $"image {n} step {k}");
            Assert.AreEqual(Trapezoid(expected), curve.Area, 1e-5);
            // the ends are exactly the model's values on the image and on the all-zero baseline
            Assert.AreEqual(F(x.Slice(n)), curve.Scores[0]);
            Assert.AreEqual(F(new FloatTensor(1, 2, 6, 6)), curve.Scores[12]);
            Assert.AreEqual(curve.Scores[0], random[n].Scores[0]);
            Assert.AreEqual(curve.Scores[12], reversed[n].Scores[12]);
            Console.WriteLine($"deletion image {n}: AUC true {curve.Area:F4}, random (4 orders) {random[n].Area:F4}, reversed {reversed[n].Area:F4}");
            Assert.IsLessThan(random[n].Area, curve.Area);
            Assert.IsLessThan(reversed[n].Area, random[n].Area);
        }
    }

    [TestMethod]
    public void Insertion_FromAZeroBaseline_MirrorsDeletion()
    {
        var x = Images();
        var target = new ClassTarget(0);
        var zeros = new FloatTensor(1, 2, 6, 6);
        var metric = new CausalMetric(Engine, CausalMetricKind.Insertion) { Steps = 36, BatchSize = 16, Baseline = zeros };
        var curves = metric.Measure(x, TrueAttribution(x), target);
        var random = metric.MeasureRandomOrder(x, target, seed: 2, repeats: 4);
        var reversed = metric.Measure(x, PixelOrder.ByAttribution(TrueAttribution(x), 6, 6).Select(o => o.Reverse().ToArray()).ToArray(), target);
        var contributions = Contributions(x);
        for (int n = 0; n < 2; n++)
        {
            var c = contributions[n];
            var byContribution = Enumerable.Range(0, Pixels).OrderByDescending(p => c[p]).ToArray();
            var expected = Enumerable.Range(0, 37).Select(k => Linear.Value.B + byContribution.Take(k).Sum(p => c[p])).ToArray();
            for (int k = 0; k <= 36; k++) Assert.AreEqual(expected[k], curves[n].Scores[k], 1e-5, $"image {n} step {k}");
            Assert.AreEqual(F(zeros), curves[n].Scores[0]);
            Assert.AreEqual(F(x.Slice(n)), curves[n].Scores[36]);
            Console.WriteLine($"insertion image {n}: AUC true {curves[n].Area:F4}, random (4 orders) {random[n].Area:F4}, reversed {reversed[n].Area:F4}");
            Assert.IsGreaterThan(random[n].Area, curves[n].Area);
            Assert.IsGreaterThan(reversed[n].Area, random[n].Area);
        }
    }

    [TestMethod]
    public void Insertion_StartsByDefaultFromTheBlurredImage()
    {
        var x = Images().Slice(1);
        const float sigma = 1.5f;
        var curve = new CausalMetric(Engine, CausalMetricKind.Insertion) { Steps = 4, BlurSigma = sigma }.Measure(x, TrueAttribution(x), new ClassTarget(0))[0];
        // a direct 2-D Gaussian (radius ⌈2σ⌉, normalised, edges clamped) of each channel, then the linear model by hand
        int radius = (int)Math.Ceiling(2 * sigma);
        var w = Linear.Value.W;
        double expected = Linear.Value.B;
        for (int ch = 0; ch < 2; ch++)
        for (int y = 0; y < 6; y++)
        for (int col = 0; col < 6; col++)
        {
            double sum = 0, total = 0;
            for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
            {
                double k = Math.Exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma));
                sum += k * x.Data[(ch * 6 + Math.Clamp(y + dy, 0, 5)) * 6 + Math.Clamp(col + dx, 0, 5)];
                total += k;
            }
            expected += w[(ch * 6 + y) * 6 + col] * sum / total;
        }
        Assert.AreEqual(expected, curve.Scores[0], 1e-5);
        Assert.AreEqual(F(x), curve.Scores[4]);
    }

    [TestMethod]
    public void PixelOrder_RanksCoarseMapsUpsampledAndChannelsSummed()
    {
        // a 3×3 map with one hot cell at (0,0) on a 6×6 image: bilinear weights 1, 0.75, 0.75, 0.5625 at (0,0), (0,1), (1,0), (1,1)
        var coarse = new FloatTensor(1, 3, 3);
        coarse.Data[0] = 1;
        CollectionAssert.AreEqual(new[] { 0, 1, 6, 7 }, PixelOrder.ByAttribution(coarse, 6, 6)[0][..4]);
        // channels sum: pixel 5 has +3 −1 = 2, pixel 2 has 1.5 + 0, pixel 0 has −2 + 3 = 1; the rest 0 (ties by index)
        var map = new FloatTensor(1, 2, 2, 3);
        map[0, 0, 1, 2] = 3; map[0, 1, 1, 2] = -1; map[0, 0, 0, 2] = 1.5f; map[0, 0, 0, 0] = -2; map[0, 1, 0, 0] = 3;
        CollectionAssert.AreEqual(new[] { 5, 2, 0, 1, 3, 4 }, PixelOrder.ByAttribution(map, 2, 3)[0]);
    }

    [TestMethod]
    public void BadInput_GetsClearErrors()
    {
        var x = Images();
        var target = new ClassTarget(0);
        var deletion = new CausalMetric(Engine, CausalMetricKind.Deletion);
        void Fails(Action run, string expected) => StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(run).Message, expected);
        Fails(() => deletion.Measure(x, new FloatTensor(3, 6, 6), target), "expected 2 maps");
        Fails(() => deletion.Measure(x, new FloatTensor(2, 7, 7), target), "do not fit 6×6 images");
        Fails(() => deletion.Measure(x, new FloatTensor(2, 2, 5, 6), target), "do not fit 6×6 images");
        var nan = new FloatTensor(2, 6, 6);
        nan.Data[40] = float.NaN;
        Fails(() => deletion.Measure(x, nan, target), "NaN at flat index 40");
        Fails(() => new CausalMetric(Engine, CausalMetricKind.Deletion) { Baseline = new FloatTensor(1, 3, 6, 6) }.Measure(x, new FloatTensor(2, 6, 6), target),
            "must be [1,2,6,6] or [2,2,6,6]");
        var twice = Enumerable.Range(0, Pixels).ToArray();
        twice[5] = 4;
        Fails(() => deletion.Measure(x, [Enumerable.Range(0, Pixels).ToArray(), twice], target), "holds 4 twice in 0..35");
        Fails(() => deletion.Measure(x, [Enumerable.Range(0, Pixels).ToArray()], target), "1 pixel orders for 2 images");
        Fails(() => deletion.Measure(new FloatTensor(2, 36), new FloatTensor(2, 6, 6), target), "[N, C, H, W]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CausalMetric(Engine, CausalMetricKind.Deletion) { Steps = 0 }.MeasureRandomOrder(x, target));
    }
}
