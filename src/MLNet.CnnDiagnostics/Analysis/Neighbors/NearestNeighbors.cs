namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// k-nearest-neighbour search over embeddings given as a rank-2 <see cref="FloatTensor"/> [N, D]
/// (row-major: point i is <c>Data[i*D .. (i+1)*D)</c>). Exact search is blocked, vectorised and multi-threaded;
/// the approximate search (random-projection forest + nearest-neighbour descent) is for large N.
/// </summary>
public static class NearestNeighbors
{
    /// <summary>Exact k nearest neighbours of every point among the others (a point is never its own neighbour).</summary>
    /// <param name="points">[N, D] finite values.</param>
    /// <param name="k">Neighbours per point, 1 ≤ k ≤ N−1.</param>
    /// <param name="metric">Euclidean or cosine distance.</param>
    /// <param name="maxThreads">Most threads to use; −1 for all cores.</param>
    /// <param name="cancellation">Stops the search.</param>
    public static NeighborGraph Exact(FloatTensor points, int k, DistanceMetric metric = DistanceMetric.Euclidean,
        int maxThreads = -1, CancellationToken cancellation = default)
    {
        var p = PointMatrix.From(points, "points", 2);
        CheckK(k, p.Count - 1, "other points");
        return ExactNeighborSearch.Search(p, p, k, metric, excludeSelf: true, maxThreads, cancellation);
    }

    /// <summary>Exact k nearest reference points of each query point (queries and reference are separate sets).</summary>
    /// <param name="queries">[M, D] finite values.</param>
    /// <param name="reference">[N, D] finite values, same D.</param>
    /// <param name="k">Neighbours per query, 1 ≤ k ≤ N.</param>
    /// <param name="metric">Euclidean or cosine distance.</param>
    /// <param name="maxThreads">Most threads to use; −1 for all cores.</param>
    /// <param name="cancellation">Stops the search.</param>
    public static NeighborGraph Exact(FloatTensor queries, FloatTensor reference, int k,
        DistanceMetric metric = DistanceMetric.Euclidean, int maxThreads = -1, CancellationToken cancellation = default)
    {
        var q = PointMatrix.From(queries, "queries");
        var r = PointMatrix.From(reference, "reference points");
        if (q.Dimension != r.Dimension)
            throw new CnnDiagnosticsException($"queries have {q.Dimension} dimensions but the reference points have {r.Dimension}; they must match.");
        CheckK(k, r.Count, "reference points");
        return ExactNeighborSearch.Search(q, r, k, metric, excludeSelf: false, maxThreads, cancellation);
    }

    /// <summary>
    /// Approximate k nearest neighbours of every point among the others: candidates from a forest of random-projection
    /// trees, refined by nearest-neighbour descent. Deterministic for a seed. Measured: recall 0.94 of the exact 90-NN of
    /// MNIST's 10,000 test digits (PCA-50), about as fast as exact search there; it pays off from a few 10,000s of points.
    /// </summary>
    /// <param name="points">[N, D] finite values.</param>
    /// <param name="k">Neighbours per point, 1 ≤ k ≤ N−1.</param>
    /// <param name="metric">Euclidean or cosine distance.</param>
    /// <param name="seed">Seed of the random projections.</param>
    /// <param name="maxThreads">Most threads to use; −1 for all cores.</param>
    /// <param name="cancellation">Stops the search.</param>
    public static NeighborGraph Approximate(FloatTensor points, int k, DistanceMetric metric = DistanceMetric.Euclidean,
        int seed = 0, int maxThreads = -1, CancellationToken cancellation = default)
    {
        var p = PointMatrix.From(points, "points", 2);
        CheckK(k, p.Count - 1, "other points");
        return ApproximateNeighborSearch.Search(p, k, metric, seed, maxThreads, cancellation);
    }

    internal static void CheckK(int k, int available, string what)
    {
        if (k < 1 || k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and {available} (the number of {what}); got {k}.");
    }
}
