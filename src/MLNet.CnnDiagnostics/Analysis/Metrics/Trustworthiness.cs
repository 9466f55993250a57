using System.Numerics.Tensors;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Trustworthiness of a low-dimensional map (Venna &amp; Kaski 2001, as scikit-learn computes it):
/// T(k) = 1 − 2/(N·k·(2N−3k−1)) · Σᵢ Σ_{j ∈ Uᵢ} (r(i,j) − k), where Uᵢ are i's k nearest points in the map that are not
/// among its k nearest in the input and r(i,j) is j's rank among i's input-space neighbours. 1 means no intruders.
/// </summary>
public static class Trustworthiness
{
    /// <summary>T(k) of <paramref name="map"/> [N, d] for <paramref name="input"/> [N, D] (Euclidean in both); k &lt; N/2.</summary>
    public static double Compute(FloatTensor input, FloatTensor map, int k = 10, int maxThreads = -1)
    {
        var x = PointMatrix.From(input, "input points", 2);
        var y = PointMatrix.From(map, "map points", 2);
        int n = x.Count;
        if (y.Count != n) throw new CnnDiagnosticsException($"the map has {y.Count} points but the input has {n}; they must match.");
        if (k < 1 || 2 * n - 3 * k - 1 <= 0)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and {(2 * n - 2) / 3} for {n} points; got {k}.");
        var high = ExactNeighborSearch.Search(x, x, k, DistanceMetric.Euclidean, true, maxThreads, default);
        var low = ExactNeighborSearch.Search(y, y, k, DistanceMetric.Euclidean, true, maxThreads, default);
        const int chunk = 64;
        var parts = new double[(n + chunk - 1) / chunk];
        Parallel.For(0, parts.Length, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, c =>
        {
            double penalty = 0;
            var row = new float[n];
            for (int i = c * chunk; i < Math.Min(n, (c + 1) * chunk); i++)
            {
                var inHigh = high.NeighborsOf(i);
                bool rowDone = false;
                foreach (int j in low.NeighborsOf(i))
                {
                    if (inHigh.Contains(j)) continue;
                    if (!rowDone)
                    {
                        var xi = x.Row(i);
                        for (int l = 0; l < n; l++) row[l] = TensorPrimitives.Distance(xi, x.Row(l));
                        rowDone = true;
                    }
                    // rank = 1 + points closer than j, ties ordered by index (a stable argsort), i itself excluded
                    float dj = row[j];
                    int rank = 1;
                    for (int l = 0; l < n; l++)
                        if (l != i && (row[l] < dj || (row[l] == dj && l < j))) rank++;
                    penalty += rank - k;
                }
            }
            parts[c] = penalty;
        });
        double total = 0;
        foreach (var p in parts) total += p;
        return 1 - 2.0 / ((double)n * k * (2.0 * n - 3.0 * k - 1)) * total;
    }
}
