using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class TsneTests
{
    private static bool AllFinite(FloatTensor t) => t.Data.All(float.IsFinite);

    [TestMethod]
    [DataRow(TsneGradientMethod.BarnesHut)]
    [DataRow(TsneGradientMethod.Interpolation)]
    public void Fit_Mnist2000_KeepsNeighbourhoodsAndSeparatesDigits(TsneGradientMethod method)
    {
        var (points, labels) = TestData.MnistPca50;
        var embedding = new Tsne(new TsneOptions { GradientMethod = method }).Fit(points);
        var map = embedding.Coordinates;
        Assert.AreEqual(method == TsneGradientMethod.Interpolation, embedding.UsedInterpolation);
        double trust = Trustworthiness.Compute(points, map, 10);
        double acc = KnnAccuracy.LeaveOneOut(map, labels, 10);
        double inputAcc = KnnAccuracy.LeaveOneOut(points, labels, 10);
        // scikit-learn 1.2's Barnes-Hut t-SNE on these 2,000 digits (same PCA-50), scored by tools/tsne-compare.py:
        // trustworthiness 0.9704, 2-D 10-NN accuracy 0.875
        string seen = $"trustworthiness {trust}, 2-D kNN accuracy {acc}, input-space kNN accuracy {inputAcc}";
        Console.WriteLine(seen);
        Assert.IsGreaterThan(0.965, trust, seen);
        Assert.IsGreaterThan(0.865, acc, seen);
        Assert.IsTrue(double.IsFinite(embedding.KlDivergence) && embedding.KlDivergence > 0, $"KL {embedding.KlDivergence}");
    }

    [TestMethod]
    public void Fit_SeparatedGaussianClusters_AreSeparatedIn2D()
    {
        var (points, labels) = TestData.Clusters(100, 6, 10, seed: 21);
        var map = new Tsne().Fit(points).Coordinates;
        Assert.AreEqual(1.0, KnnAccuracy.LeaveOneOut(map, labels, 10));
        // every cluster's 2-D centroid is farther from the others than the cluster's own spread
        var centroids = Enumerable.Range(0, 6).Select(c => (
            x: Enumerable.Range(0, 600).Where(i => labels[i] == c).Average(i => map[i, 0]),
            y: Enumerable.Range(0, 600).Where(i => labels[i] == c).Average(i => map[i, 1]))).ToArray();
        for (int c = 0; c < 6; c++)
        {
            double spread = Enumerable.Range(0, 600).Where(i => labels[i] == c)
                .Max(i => double.Hypot(map[i, 0] - centroids[c].x, map[i, 1] - centroids[c].y));
            for (int o = 0; o < 6; o++)
                if (o != c) Assert.IsGreaterThan(spread, double.Hypot(centroids[o].x - centroids[c].x, centroids[o].y - centroids[c].y));
        }
    }

    [TestMethod]
    public void Transform_HeldOutDigits_LandAmongTheirClass()
    {
        var (points, labels) = TestData.MnistPca50;
        var train = TestData.Rows(points, 0, 1800);
        var held = TestData.Rows(points, 1800, 200);
        var embedding = new Tsne().Fit(train);
        var reference = embedding.Coordinates;
        var placed = embedding.Transform(held);
        Assert.IsTrue(AllFinite(placed));
        CollectionAssert.AreEqual(reference.Data, embedding.Coordinates.Data, "the reference does not move");
        // classify each placed point by its 10 nearest reference points in 2-D, and compare with the same vote in the input space
        var trainLabels = labels.Take(1800).ToArray();
        var heldLabels = labels.Skip(1800).ToArray();
        double Vote(FloatTensor q, FloatTensor r)
        {
            var g = NearestNeighbors.Exact(q, r, 10);
            int ok = 0;
            for (int i = 0; i < q.Shape[0]; i++)
            {
                int best = g.NeighborsOf(i).ToArray().GroupBy(j => trainLabels[j]).OrderByDescending(x => x.Count()).ThenBy(x => x.Key).First().Key;
                if (best == heldLabels[i]) ok++;
            }
            return ok / (double)q.Shape[0];
        }
        double placedAcc = Vote(placed, reference), inputAcc = Vote(held, train);
        Assert.IsGreaterThan(inputAcc - 0.05, placedAcc, $"placed {placedAcc}, input space {inputAcc}");
    }

    [TestMethod]
    public void Fit_SameSeed_SameCoordinates_AnyThreadCount()
    {
        var (points, _) = TestData.Clusters(60, 3, 5, seed: 31);
        var o = new TsneOptions { Perplexity = 10, EarlyExaggerationIterations = 50, Iterations = 60, Seed = 5, Initialization = TsneInitialization.Random };
        var a = new Tsne(o).Fit(points).Coordinates.Data;
        var b = new Tsne(o with { MaxThreads = 1 }).Fit(points).Coordinates.Data;
        var c = new Tsne(o with { GradientMethod = TsneGradientMethod.Interpolation }).Fit(points).Coordinates.Data;
        var d = new Tsne(o with { GradientMethod = TsneGradientMethod.Interpolation, MaxThreads = 1 }).Fit(points).Coordinates.Data;
        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreEqual(c, d);
        var other = new Tsne(o with { Seed = 6 }).Fit(points).Coordinates.Data;
        CollectionAssert.AreNotEqual(a, other);
    }

    [TestMethod]
    public void Fit_Interpolation_SameCoordinates_WhetherEachGridOrEachPassIsSplitOverThreads()
    {
        // up to two threads convolve one charge grid each; more threads split every FFT pass instead
        var (points, _) = TestData.Clusters(80, 3, 5, seed: 17);
        var o = new TsneOptions { Perplexity = 10, EarlyExaggerationIterations = 40, Iterations = 40, GradientMethod = TsneGradientMethod.Interpolation };
        var one = new Tsne(o with { MaxThreads = 1 }).Fit(points).Coordinates.Data;
        var two = new Tsne(o with { MaxThreads = 2 }).Fit(points).Coordinates.Data;
        var four = new Tsne(o with { MaxThreads = 4 }).Fit(points).Coordinates.Data;
        CollectionAssert.AreEqual(one, two);
        CollectionAssert.AreEqual(one, four);
    }

    [TestMethod]
    public void Fit_NaN_NamesTheFirstBadRow()
    {
        var points = TestData.Random(100, 4, seed: 1);
        points[37, 2] = float.NaN;
        points[60, 0] = float.PositiveInfinity;
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new Tsne().Fit(points));
        StringAssert.Contains(e.Message, "row 37");
    }

    [TestMethod]
    public void Fit_TooFewPointsForThePerplexity_SuggestsTheLargestValid()
    {
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new Tsne().Fit(TestData.Random(50, 3, seed: 1)));
        StringAssert.Contains(e.Message, "at most 16.33");
        // and that suggestion works
        var map = new Tsne(new TsneOptions { Perplexity = 16.33, Iterations = 50 }).Fit(TestData.Random(50, 3, seed: 1)).Coordinates;
        Assert.IsTrue(AllFinite(map));
    }

    [TestMethod]
    [DataRow(TsneGradientMethod.BarnesHut)]
    [DataRow(TsneGradientMethod.Interpolation)]
    public void Fit_AllPointsIdentical_GivesFiniteCoordinates(TsneGradientMethod method)
    {
        var points = new FloatTensor([120, 5], Enumerable.Repeat(3.5f, 600).ToArray());
        var map = new Tsne(new TsneOptions { GradientMethod = method, Iterations = 200 }).Fit(points).Coordinates;
        Assert.IsTrue(AllFinite(map));
    }

    [TestMethod]
    public void Fit_SingleClass_GivesFiniteCoordinatesAndPerfectAccuracy()
    {
        var (points, _) = TestData.Clusters(150, 1, 4, seed: 41);
        var map = new Tsne(new TsneOptions { Iterations = 200 }).Fit(points).Coordinates;
        Assert.IsTrue(AllFinite(map));
        Assert.AreEqual(1.0, KnnAccuracy.LeaveOneOut(map, new int[150], 10));
    }

    [TestMethod]
    public void Fit_ReportsProgress_AndCanBeCancelled()
    {
        var (points, _) = TestData.Clusters(50, 2, 3, seed: 51);
        var seen = new List<TsneProgress>();
        using var cts = new CancellationTokenSource();
        var progress = new Reporter(p => { seen.Add(p); if (p.Phase == TsnePhase.EarlyExaggeration && p.Iteration == 50) cts.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => new Tsne(new TsneOptions { Perplexity = 10 }).Fit(points, progress, cts.Token));
        CollectionAssert.AreEqual(new[] { TsnePhase.Neighbors, TsnePhase.Affinities, TsnePhase.EarlyExaggeration }, seen.Select(p => p.Phase).ToArray());
        Assert.IsTrue(double.IsFinite(seen[^1].KlDivergence));
    }

    [TestMethod]
    public void Options_OutOfRange_NameTheSetting()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Tsne(new TsneOptions { Theta = -1 }));
        StringAssert.Contains(e.Message, "Theta");
    }

    private sealed class Reporter(Action<TsneProgress> report) : IProgress<TsneProgress>
    {
        public void Report(TsneProgress value) => report(value);
    }
}
