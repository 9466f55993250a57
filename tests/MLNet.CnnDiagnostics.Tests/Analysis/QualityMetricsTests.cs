using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class QualityMetricsTests
{
    [TestMethod]
    public void Trustworthiness_HandComputedCase()
    {
        // input on a line at 0, 1, 3, 7; the map swaps points 1 and 2. With k = 1 every point gets one intruder of
        // input rank 2 (penalty 1): T = 1 − 2/(4·1·(8−3−1))·4 = 0.5.
        var input = new FloatTensor([4, 1], [0f, 1f, 3f, 7f]);
        var map = new FloatTensor([4, 1], [0f, 3f, 1f, 7f]);
        Assert.AreEqual(0.5, Trustworthiness.Compute(input, map, 1), 1e-12);
        Assert.AreEqual(1.0, Trustworthiness.Compute(input, input, 1), 1e-12);
    }

    [TestMethod]
    public void Trustworthiness_And_Preservation_MatchNaiveDefinitions()
    {
        var input = TestData.Random(120, 6, seed: 11);
        var map = TestData.Random(120, 2, seed: 12);
        const int k = 5;
        int n = 120;
        double penalty = 0, shared = 0;
        for (int i = 0; i < n; i++)
        {
            var inputOrder = Enumerable.Range(0, n).Where(j => j != i)
                .OrderBy(j => TestData.Distance(input, i, input, j, DistanceMetric.Euclidean)).ThenBy(j => j).ToList();
            var mapNearest = TestData.BruteForce(map, i, map, k, DistanceMetric.Euclidean, i).Select(p => p.index).ToList();
            foreach (int j in mapNearest)
            {
                int rank = inputOrder.IndexOf(j) + 1;
                if (rank > k) penalty += rank - k;
            }
            shared += mapNearest.Intersect(inputOrder.Take(k)).Count();
        }
        double expectedT = 1 - 2.0 / (n * k * (2.0 * n - 3 * k - 1)) * penalty;
        Assert.AreEqual(expectedT, Trustworthiness.Compute(input, map, k), 1e-9);
        Assert.AreEqual(shared / (n * k), NeighborhoodPreservation.Compute(input, map, k), 1e-12);
    }

    [TestMethod]
    public void KnnAccuracy_HandComputedCase()
    {
        // k = 2 on a line; ties in the vote go to the smaller label. Correct: points 0, 1, 3, 4 → 4/7.
        var points = new FloatTensor([7, 1], [0f, 1f, 2f, 10f, 11f, 12f, 13f]);
        int[] labels = [0, 0, 1, 1, 1, 1, 0];
        Assert.AreEqual(4.0 / 7, KnnAccuracy.LeaveOneOut(points, labels, 2), 1e-12);
    }

    [TestMethod]
    public void KnnAccuracy_LabelCountMismatch_Throws()
    {
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => KnnAccuracy.LeaveOneOut(TestData.Random(5, 2, 1), [0, 1], 2));
        StringAssert.Contains(e.Message, "2 labels for 5 points");
    }
}
