using MLNet.CnnDiagnostics.Analysis.Activations;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class QuantileSketchTests
{
    private static readonly double[] Levels = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.995, 0.999, 1];

    /// <summary>Exact p-quantile: the value of ascending rank ⌈p·n⌉−1.</summary>
    private static float Exact(float[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static float Normal(Random rng) => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));

    public static IEnumerable<object[]> Distributions()
    {
        yield return ["lognormal"];
        yield return ["normal (negatives)"];
        yield return ["relu (40% zeros)"];
    }

    private static float[] Sample(string distribution, int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => distribution switch
        {
            "lognormal" => (float)Math.Exp(2 * Normal(rng)),
            "normal (negatives)" => 3 * Normal(rng) - 1,
            _ => Math.Max(0, Normal(rng) + 0.25f) * 5,
        }).ToArray();
    }

    [TestMethod]
    [DynamicData(nameof(Distributions))]
    public void Quantiles_AreWithinTheRelativeErrorBound_OfTheExactQuantiles(string distribution)
    {
        var values = Sample(distribution, 200_000, seed: 3);
        var sketch = new QuantileSketch(relativeAccuracy: 0.005);
        foreach (var v in values) sketch.Add(v);
        var sorted = values.Order().ToArray();
        foreach (var p in Levels)
        {
            float exact = Exact(sorted, p), estimate = sketch.Quantile(p);
            Assert.IsLessThanOrEqualTo(0.005 * Math.Abs(exact) * (1 + 1e-6) + 1e-30, Math.Abs(estimate - exact), $"p={p}: exact {exact}, estimate {estimate}");
        }
        // Not trivially exact: the sketch does round (otherwise the bound above would test nothing).
        Assert.IsTrue(Levels.Any(p => sketch.Quantile(p) != Exact(sorted, p)));
    }

    [TestMethod]
    public void Merge_EqualsTheSketchOfAllValues_EvenWhenBucketsFold()
    {
        // 16 buckets of α = 0.05 cover a factor of about 25 only: values spanning 1e-4..1e4 force folding.
        var rng = new Random(4);
        var values = Enumerable.Range(0, 5000).Select(_ => (float)(Math.Pow(10, rng.NextDouble() * 8 - 4) * (rng.Next(3) == 0 ? -1 : 1))).ToArray();
        var whole = new QuantileSketch(0.05, 16);
        var a = new QuantileSketch(0.05, 16);
        var b = new QuantileSketch(0.05, 16);
        for (int i = 0; i < values.Length; i++)
        {
            whole.Add(values[i]);
            (i % 5 < 2 ? a : b).Add(values[i]);
        }
        a.Merge(b);
        CollectionAssert.AreEqual(whole.Buckets().ToList(), a.Buckets().ToList());
        Assert.AreEqual(whole.Count, a.Count);
        foreach (var p in Levels) Assert.AreEqual(whole.Quantile(p), a.Quantile(p), $"p={p}");
        // The top tail stays inside the kept window, so its bound still holds after folding.
        var sorted = values.Order().ToArray();
        Assert.IsLessThanOrEqualTo(0.05 * Math.Abs(Exact(sorted, 0.995)) * (1 + 1e-6), Math.Abs(a.Quantile(0.995) - Exact(sorted, 0.995)));
    }

    [TestMethod]
    public void ActivationQuantiles_TopThresholds_MatchExactPerChannelQuantiles_AndMerge()
    {
        const int n = 30, c = 3, h = 9, w = 7;
        var rng = new Random(5);
        var data = Enumerable.Range(0, n * c * h * w).Select(i => Math.Max(0, Normal(rng)) * (1 + (i / (h * w)) % c)).ToArray();
        var scan = new ActivationQuantiles(c);
        var first = new ActivationQuantiles(c);
        var second = new ActivationQuantiles(c);
        for (int i = 0; i < n; i += 6)
        {
            var batch = new FloatTensor([6, c, h, w], data.AsSpan(i * c * h * w, 6 * c * h * w).ToArray());
            scan.Add(batch);
            (i < 12 ? first : second).Add(batch);
        }
        using (var bytes = new MemoryStream())
        {
            second.WriteTo(bytes); // handed over as another process would
            bytes.Position = 0;
            first.Merge(ActivationQuantiles.ReadFrom(bytes));
        }
        for (int ch = 0; ch < c; ch++) CollectionAssert.AreEqual(scan[ch].Buckets().ToList(), first[ch].Buckets().ToList());
        Assert.AreEqual(scan.ImageCount, first.ImageCount);
        var thresholds = scan.TopThresholds();
        CollectionAssert.AreEqual(thresholds, first.TopThresholds());
        for (int ch = 0; ch < c; ch++)
        {
            var sorted = Enumerable.Range(0, n).SelectMany(img => data.AsSpan((img * c + ch) * h * w, h * w).ToArray()).Order().ToArray();
            float exact = Exact(sorted, 0.995);
            Assert.IsLessThanOrEqualTo(0.005 * exact * (1 + 1e-6), Math.Abs(thresholds[ch] - exact), $"channel {ch}");
        }
    }

    [TestMethod]
    [DataRow(0.005)]
    [DataRow(0.01)]
    [DataRow(0.05)]
    public void Keys_PutEachValueInTheBucket_GammaPowerKMinusOne_To_GammaPowerK(double alpha)
    {
        // the definition, by Math.Pow, for log-uniform magnitudes and for the floats next to every boundary
        double gamma = (1 + alpha) / (1 - alpha);
        var keys = LogKeyMap.For(gamma);
        var rng = new Random(11);
        var magnitudes = Enumerable.Range(0, 100_000).Select(_ => (float)Math.Exp(rng.NextDouble() * (Math.Log(float.MaxValue) - Math.Log(1e-30)) + Math.Log(1e-30))).ToList();
        for (int k = (int)Math.Ceiling(Math.Log(1e-29) / Math.Log(gamma)); k < Math.Log(1e38) / Math.Log(gamma); k += 7)
        {
            float near = (float)Math.Pow(gamma, k);
            magnitudes.AddRange([near, MathF.BitIncrement(near), MathF.BitDecrement(near)]);
        }
        magnitudes.AddRange([1f, float.MaxValue, 1.0000001e-30f]);
        foreach (float x in magnitudes.Where(m => m > QuantileSketch.MinMagnitude))
        {
            int k = keys.Key(x);
            Assert.IsTrue(Math.Pow(gamma, k - 1) < x && x <= Math.Pow(gamma, k), $"{x:R} got key {k}: bucket ({Math.Pow(gamma, k - 1):R}, {Math.Pow(gamma, k):R}]");
        }
    }

    [TestMethod]
    public void AddRange_LeavesTheSameState_AsAddingEachValue()
    {
        var rng = new Random(5);
        var values = Sample("normal (negatives)", 20_000, seed: 8).Concat(Sample("relu (40% zeros)", 20_000, seed: 9))
            .Concat([-0f, 0f, 1e-31f, -1e-31f, float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon])
            .OrderBy(_ => rng.Next()).ToArray();
        foreach (var alpha in new[] { 0.005, 0.001 }) // 0.001 is finer than the logarithm-free cells: the logarithm path
        {
            var one = new QuantileSketch(alpha, maxBuckets: 512);
            var range = new QuantileSketch(alpha, maxBuckets: 512);
            foreach (var v in values) one.Add(v);
            for (int start = 0; start < values.Length; start += 997)
                range.AddRangeUnchecked(values.AsSpan(start, Math.Min(997, values.Length - start)));
            CollectionAssert.AreEqual(one.Buckets().ToList(), range.Buckets().ToList(), $"α = {alpha}");
            Assert.AreEqual(one.Count, range.Count);
            Assert.AreEqual(one.ZeroCount, range.ZeroCount);
            Assert.AreEqual(one.Min, range.Min);
            Assert.AreEqual(one.Max, range.Max);
        }
        var zeros = new QuantileSketch();
        zeros.AddRangeUnchecked([-0f, -0f]);
        Assert.IsTrue(float.IsPositive(zeros.Min) && float.IsPositive(zeros.Max), "−0 counts as +0");
    }

    [TestMethod]
    public void BulkFold_OfSparseMaps_LeavesTheSameState_AsAddingEachValue()
    {
        // ReLU-like maps: runs of exact zeros (whole 8-value blocks and partial ones), values just either side of the
        // smallest counted magnitude, subnormals, −0, a few negatives; spans of every length 0..40 (vector tails) and
        // longer than the 512-value chunk; a small bucket limit so that keys below the fold floor arrive in bulk
        var rng = new Random(11);
        float smallest = BitConverter.Int32BitsToSingle(LogKeyMap.SmallestCountedBits);
        float[] special = [smallest, MathF.BitDecrement(smallest), -smallest, -MathF.BitDecrement(smallest), float.Epsilon, -float.Epsilon, -0f, 1e-20f, 3e4f, -2.5f];
        float Next() => rng.NextDouble() switch
        {
            < 0.7 => 0f,
            < 0.75 => special[rng.Next(special.Length)],
            < 0.8 => -(float)rng.NextDouble(),
            _ => (float)Math.Exp(6 * Normal(rng)),
        };
        foreach (int maxBuckets in new[] { 16, 4096 })
        {
            var one = new QuantileSketch(0.005, maxBuckets);
            var bulk = new QuantileSketch(0.005, maxBuckets);
            foreach (int length in Enumerable.Range(0, 41).Concat([511, 512, 513, 1500]))
            {
                var values = new float[length];
                for (int i = 0; i < length; i++) values[i] = Next();
                if (length > 24) Array.Clear(values, 8, 16); // two aligned all-zero blocks
                foreach (var v in values) one.Add(v);
                bulk.AddRangeUnchecked(values);
                CollectionAssert.AreEqual(one.Buckets().ToList(), bulk.Buckets().ToList(), $"{maxBuckets} buckets, after a span of {length}");
            }
            Assert.AreEqual(one.Count, bulk.Count);
            Assert.AreEqual(one.ZeroCount, bulk.ZeroCount);
            Assert.IsTrue(one.ZeroCount > one.Count / 2, "the data is mostly zeros");
            Assert.AreEqual(one.Min, bulk.Min);
            Assert.AreEqual(one.Max, bulk.Max);
        }
    }

    [TestMethod]
    public void ActivationQuantiles_Add_EqualsEachChannelsValueByValueSketch()
    {
        var rng = new Random(12);
        var batch = new FloatTensor(3, 4, 5, 7);
        for (int i = 0; i < batch.Length; i++) batch.Data[i] = rng.NextDouble() < 0.5 ? 0f : (float)Normal(rng);
        var scan = new ActivationQuantiles(4);
        scan.Add(batch);
        scan.Add(batch);
        for (int c = 0; c < 4; c++)
        {
            var one = new QuantileSketch();
            for (int pass = 0; pass < 2; pass++)
                for (int item = 0; item < 3; item++)
                    foreach (var v in batch.Data.AsSpan((item * 4 + c) * 35, 35)) one.Add(v);
            CollectionAssert.AreEqual(one.Buckets().ToList(), scan[c].Buckets().ToList(), $"channel {c}");
            Assert.AreEqual(one.Count, scan[c].Count);
            Assert.AreEqual(one.Min, scan[c].Min);
            Assert.AreEqual(one.Max, scan[c].Max);
        }
    }

    [TestMethod]
    public void BadInput_HasClearMessages()
    {
        var e1 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new QuantileSketch().Quantile(0.5));
        StringAssert.Contains(e1.Message, "empty dataset");
        var e2 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new ActivationQuantiles(2).TopThresholds());
        StringAssert.Contains(e2.Message, "empty dataset");
        Assert.ThrowsExactly<ArgumentException>(() => new QuantileSketch().Add(float.NaN));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new QuantileSketch(0));
        var q = new ActivationQuantiles(2);
        var e3 = Assert.ThrowsExactly<CnnDiagnosticsException>(() => q.Add(new FloatTensor(1, 3, 2, 2)));
        StringAssert.Contains(e3.Message, "2 channels");
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationQuantiles.ReadFrom(new MemoryStream([2, 0, 0, 0, 1]))).Message, "truncated");
    }
}
