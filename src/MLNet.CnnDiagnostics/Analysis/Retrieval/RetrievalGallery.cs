namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Nearest-neighbour retrieval for chosen queries: each query's k nearest other embeddings with distances and a
/// same-class flag, the material of a retrieval figure ("similar-looking images sit close together").
/// </summary>
public static class RetrievalGallery
{
    /// <summary>Retrieves the k nearest other points of each query row.</summary>
    /// <param name="embeddings">[N, D] finite values.</param>
    /// <param name="labels">One class a point.</param>
    /// <param name="queries">Row indices to query.</param>
    /// <param name="k">Neighbours a query, 1 ≤ k ≤ N−1.</param>
    /// <param name="metric">Distance; cosine by default, as usual for CNN embeddings.</param>
    /// <param name="maxThreads">Most threads to use; −1 for all cores.</param>
    public static IReadOnlyList<RetrievalQuery> Build(FloatTensor embeddings, int[] labels, IReadOnlyList<int> queries, int k = 8,
        DistanceMetric metric = DistanceMetric.Cosine, int maxThreads = -1)
    {
        var points = PointMatrix.From(embeddings, "embeddings", 2);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(queries);
        int n = points.Count, d = points.Dimension;
        if (labels.Length != n)
            throw new CnnDiagnosticsException($"there are {labels.Length} labels for {n} embeddings; one label a point is needed.");
        NearestNeighbors.CheckK(k, n - 1, "other points");
        var rows = new float[queries.Count * d];
        for (int a = 0; a < queries.Count; a++)
        {
            int q = queries[a];
            if ((uint)q >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(queries), q, $"query index {q} is outside the {n} embeddings (valid: 0 to {n - 1}).");
            Array.Copy(points.Data, q * d, rows, a * d, d);
        }
        // one extra neighbour so that dropping the query itself still leaves k
        var graph = ExactNeighborSearch.Search(new PointMatrix(rows, queries.Count, d), points, k + 1, metric, false, maxThreads, default);
        var result = new List<RetrievalQuery>(queries.Count);
        for (int a = 0; a < queries.Count; a++)
        {
            int q = queries[a];
            var found = new List<RetrievalNeighbor>(k);
            var idx = graph.NeighborsOf(a);
            var dist = graph.DistancesOf(a);
            for (int t = 0; t < idx.Length && found.Count < k; t++)
                if (idx[t] != q) found.Add(new RetrievalNeighbor(idx[t], dist[t], labels[idx[t]], labels[idx[t]] == labels[q]));
            result.Add(new RetrievalQuery(q, labels[q], found));
        }
        return result;
    }
}
