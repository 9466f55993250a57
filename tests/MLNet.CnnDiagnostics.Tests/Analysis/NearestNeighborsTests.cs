using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class NearestNeighborsTests
{
    [TestMethod]
    [DataRow(DistanceMetric.Euclidean)]
    [DataRow(DistanceMetric.Cosine)]
    public void Exact_MatchesBruteForce(DistanceMetric metric)
    {
        // 517 points: not a multiple of the 256-wide panels or the 64-row query blocks; 37 dimensions: not a multiple of 8
        var points = TestData.Random(517, 37, seed: 1);
        var graph = NearestNeighbors.Exact(points, 12, metric);
        for (int i = 0; i < 517; i++)
        {
            var expected = TestData.BruteForce(points, i, points, 12, metric, self: i);
            var idx = graph.NeighborsOf(i);
            var dist = graph.DistancesOf(i);
            for (int a = 0; a < 12; a++)
            {
                Assert.AreEqual(expected[a].distance, dist[a], 1e-4, $"point {i}, neighbour {a}");
                Assert.AreNotEqual(i, idx[a]);
                // the returned index has the returned distance (ties may swap equal-distance indices)
                Assert.AreEqual(TestData.Distance(points, i, points, idx[a], metric), dist[a], 1e-4);
            }
            Assert.AreEqual(12, idx.ToArray().Distinct().Count());
        }
    }

    [TestMethod]
    public void Exact_QueriesAgainstReference_MatchBruteForce()
    {
        var reference = TestData.Random(300, 9, seed: 2);
        var queries = TestData.Random(41, 9, seed: 3);
        var graph = NearestNeighbors.Exact(queries, reference, 5);
        for (int q = 0; q < 41; q++)
        {
            var expected = TestData.BruteForce(queries, q, reference, 5, DistanceMetric.Euclidean, self: -1);
            CollectionAssert.AreEqual(expected.Select(e => e.index).ToArray(), graph.NeighborsOf(q).ToArray(), $"query {q}");
        }
    }

    [TestMethod]
    public void Exact_DuplicatePoints_AreAtDistanceZero()
    {
        var data = new float[] { 1, 2, 1, 2, 5, 5, 9, 9 };
        var graph = NearestNeighbors.Exact(new FloatTensor([4, 2], data), 1);
        Assert.AreEqual(1, graph.NeighborsOf(0)[0]);
        Assert.AreEqual(0, graph.NeighborsOf(1)[0]);
        Assert.AreEqual(0f, graph.DistancesOf(0)[0]);
    }

    [TestMethod]
    public void Approximate_RecallsMostTrueNeighbours()
    {
        var (points, _) = TestData.Clusters(600, 5, 20, seed: 4);
        var exact = NearestNeighbors.Exact(points, 15);
        var approx = NearestNeighbors.Approximate(points, 15, seed: 1);
        double recall = NeighborhoodPreservation.Compare(exact, approx);
        Assert.IsGreaterThan(0.95, recall, $"recall {recall}");
        for (int i = 0; i < approx.Count; i++)
            for (int a = 0; a < 15; a++)
                Assert.AreEqual(TestData.Distance(points, i, points, approx.NeighborsOf(i)[a], DistanceMetric.Euclidean), approx.DistancesOf(i)[a], 1e-3);
    }

    [TestMethod]
    public void Exact_KTooLarge_NamesTheValidRange()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NearestNeighbors.Exact(TestData.Random(5, 2, 1), 5));
        StringAssert.Contains(e.Message, "between 1 and 4");
    }

    [TestMethod]
    public void RetrievalGallery_ListsNeighboursWithClassFlags()
    {
        var (points, labels) = TestData.Clusters(20, 3, 6, seed: 5);
        var gallery = RetrievalGallery.Build(points, labels, [0, 7], k: 4, metric: DistanceMetric.Euclidean);
        Assert.HasCount(2, gallery);
        foreach (var q in gallery)
        {
            var expected = TestData.BruteForce(points, q.Index, points, 4, DistanceMetric.Euclidean, q.Index);
            CollectionAssert.AreEqual(expected.Select(e => e.index).ToArray(), q.Neighbors.Select(n => n.Index).ToArray());
            foreach (var n in q.Neighbors) Assert.AreEqual(labels[n.Index] == labels[q.Index], n.SameClass);
            Assert.AreEqual(1.0, q.Precision); // blobs 20 apart with std 1: every neighbour is of the same class
        }
    }
}
