namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Leave-one-out k-nearest-neighbour classification accuracy: each point is classified by the majority label of its
/// k nearest other points (a tie goes to the smallest label, as numpy's bincount/argmax does) and compared with its own.
/// A measure of how well an embedding (or a 2-D map) separates the classes.
/// </summary>
public static class KnnAccuracy
{
    /// <summary>Accuracy over [N, D] points with one label a point, exact neighbours.</summary>
    public static double LeaveOneOut(FloatTensor points, int[] labels, int k = 10, DistanceMetric metric = DistanceMetric.Euclidean, int maxThreads = -1)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (points.Rank == 2 && labels.Length != points.Shape[0])
            throw new CnnDiagnosticsException($"there are {labels.Length} labels for {points.Shape[0]} points; one label a point is needed.");
        return FromNeighbors(NearestNeighbors.Exact(points, k, metric, maxThreads), labels);
    }

    /// <summary>Accuracy from an existing neighbour graph of the points among themselves.</summary>
    public static double FromNeighbors(NeighborGraph neighbors, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != neighbors.Count)
            throw new CnnDiagnosticsException($"there are {labels.Length} labels for {neighbors.Count} points; one label a point is needed.");
        int correct = 0;
        var votes = new Dictionary<int, int>();
        for (int i = 0; i < neighbors.Count; i++)
        {
            votes.Clear();
            foreach (int j in neighbors.NeighborsOf(i)) votes[labels[j]] = votes.GetValueOrDefault(labels[j]) + 1;
            int best = int.MaxValue, bestVotes = -1;
            foreach (var (label, count) in votes)
                if (count > bestVotes || (count == bestVotes && label < best)) { best = label; bestVotes = count; }
            if (best == labels[i]) correct++;
        }
        return (double)correct / neighbors.Count;
    }
}
