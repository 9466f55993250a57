namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// k-NN preservation: the mean, over points, of the fraction of a point's k nearest input-space neighbours that are also
/// among its k nearest neighbours in the map (Euclidean in both). 1 means every neighbourhood is kept.
/// </summary>
public static class NeighborhoodPreservation
{
    /// <summary>Preservation of the k-NN sets of <paramref name="input"/> [N, D] in <paramref name="map"/> [N, d].</summary>
    public static double Compute(FloatTensor input, FloatTensor map, int k = 10, int maxThreads = -1)
    {
        var x = PointMatrix.From(input, "input points", 2);
        var y = PointMatrix.From(map, "map points", 2);
        if (y.Count != x.Count) throw new CnnDiagnosticsException($"the map has {y.Count} points but the input has {x.Count}; they must match.");
        NearestNeighbors.CheckK(k, x.Count - 1, "other points");
        var high = ExactNeighborSearch.Search(x, x, k, DistanceMetric.Euclidean, true, maxThreads, default);
        var low = ExactNeighborSearch.Search(y, y, k, DistanceMetric.Euclidean, true, maxThreads, default);
        return Compare(high, low);
    }

    /// <summary>Mean fraction of each row of <paramref name="reference"/> found in the same row of <paramref name="candidate"/>.</summary>
    public static double Compare(NeighborGraph reference, NeighborGraph candidate)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        if (reference.Count != candidate.Count)
            throw new CnnDiagnosticsException($"graphs of {reference.Count} and {candidate.Count} points cannot be compared; the counts must match.");
        long shared = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            var c = candidate.NeighborsOf(i);
            foreach (int j in reference.NeighborsOf(i)) if (c.Contains(j)) shared++;
        }
        return (double)shared / ((long)reference.Count * reference.K);
    }
}
