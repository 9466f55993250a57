namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// The k nearest neighbours of each query point: indices into the reference points and their distances,
/// nearest first (ties by lower index), stored row-major (query i's neighbours at <c>[i*K .. (i+1)*K)</c>).
/// </summary>
public sealed class NeighborGraph
{
    /// <summary>Creates a graph over given arrays (not copied); both must hold <paramref name="count"/>·<paramref name="k"/> entries.</summary>
    public NeighborGraph(int count, int k, int[] indices, float[] distances, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(distances);
        if (indices.Length != (long)count * k || distances.Length != (long)count * k)
            throw new ArgumentException($"a graph of {count} points with k = {k} needs {(long)count * k} entries; got {indices.Length} indices and {distances.Length} distances.");
        Count = count;
        K = k;
        Indices = indices;
        Distances = distances;
        Metric = metric;
    }

    /// <summary>Number of query points.</summary>
    public int Count { get; }

    /// <summary>Neighbours per query point.</summary>
    public int K { get; }

    /// <summary>Neighbour indices, row-major [Count, K].</summary>
    public int[] Indices { get; }

    /// <summary>Neighbour distances, row-major [Count, K], ascending within a row.</summary>
    public float[] Distances { get; }

    /// <summary>The metric the distances are in.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Indices of query <paramref name="i"/>'s neighbours, nearest first.</summary>
    public ReadOnlySpan<int> NeighborsOf(int i) => new(Indices, i * K, K);

    /// <summary>Distances of query <paramref name="i"/>'s neighbours, ascending.</summary>
    public ReadOnlySpan<float> DistancesOf(int i) => new(Distances, i * K, K);
}
