using System.Numerics.Tensors;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// t-SNE's input similarities P as a sparse matrix in compressed rows: each point's Gaussian over its k = ⌊3·perplexity⌋
/// nearest neighbours with the bandwidth found by binary search so that the entropy equals ln(perplexity)
/// (van der Maaten 2014), then symmetrised, P = (P₍ⱼ|ᵢ₎ + P₍ᵢ|ⱼ₎) / 2N, so that ΣP = 1.
/// </summary>
public sealed class TsneAffinities
{
    internal TsneAffinities(int count, int[] rowStart, int[] columns, float[] values)
    {
        Count = count;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    /// <summary>Number of points.</summary>
    public int Count { get; }

    /// <summary>Row i's entries are at [RowStart[i], RowStart[i+1]).</summary>
    public int[] RowStart { get; }

    /// <summary>Column (neighbour index) of each entry, ascending within a row.</summary>
    public int[] Columns { get; }

    /// <summary>P of each entry.</summary>
    public float[] Values { get; }

    /// <summary>The largest perplexity <paramref name="points"/> points allow (3·perplexity neighbours must exist): (N−1)/3.</summary>
    public static double LargestPerplexity(int points) => (points - 1) / 3.0;

    /// <summary>Symmetric joint affinities from a k-NN graph of the points themselves (k ≥ ⌊3·perplexity⌋ is used in full).</summary>
    /// <param name="neighbors">Each point's nearest other points, ascending distance.</param>
    /// <param name="perplexity">Effective number of neighbours, &gt; 1 and ≤ <see cref="LargestPerplexity"/>.</param>
    public static TsneAffinities FromNeighbors(NeighborGraph neighbors, double perplexity)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        CheckPerplexity(perplexity, neighbors.Count);
        int n = neighbors.Count, k = neighbors.K;
        var conditional = Conditional(neighbors, perplexity);

        // count each (i→j) once for row i and once for row j, then merge duplicates within a row
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            rowStart[i + 1] += k;
            var row = neighbors.NeighborsOf(i);
            for (int a = 0; a < k; a++) rowStart[row[a] + 1]++;
        }
        for (int i = 0; i < n; i++) rowStart[i + 1] += rowStart[i];
        var fill = (int[])rowStart.Clone();
        var cols = new int[rowStart[n]];
        var vals = new float[rowStart[n]];
        float scale = 1f / (2f * n);
        for (int i = 0; i < n; i++)
        {
            var row = neighbors.NeighborsOf(i);
            for (int a = 0; a < k; a++)
            {
                int j = row[a];
                float v = conditional[i * k + a] * scale;
                cols[fill[i]] = j; vals[fill[i]++] = v;
                cols[fill[j]] = i; vals[fill[j]++] = v;
            }
        }
        var counts = new int[n];
        Parallel.For(0, n, i =>
        {
            int s = rowStart[i], e = rowStart[i + 1];
            Array.Sort(cols, vals, s, e - s);
            int w = s;
            for (int r = s; r < e; r++)
            {
                if (w > s && cols[w - 1] == cols[r]) vals[w - 1] += vals[r];
                else { cols[w] = cols[r]; vals[w] = vals[r]; w++; }
            }
            counts[i] = w - s;
        });
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + counts[i];
        var c2 = new int[start[n]];
        var v2 = new float[start[n]];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(cols, rowStart[i], c2, start[i], counts[i]);
            Array.Copy(vals, rowStart[i], v2, start[i], counts[i]);
        }
        return new TsneAffinities(n, start, c2, v2);
    }

    internal static void CheckPerplexity(double perplexity, int points)
    {
        if (!(perplexity > 1) || double.IsInfinity(perplexity))
            throw new ArgumentOutOfRangeException(nameof(perplexity), perplexity, $"perplexity must be a finite number above 1; got {perplexity}.");
        if (3 * perplexity > points - 1 + 1e-9)
        {
            double largest = Math.Floor(LargestPerplexity(points) * 100) / 100;
            throw new CnnDiagnosticsException(points <= 4
                ? $"perplexity {perplexity} needs at least {(int)Math.Ceiling(3 * perplexity) + 1} points (3·perplexity neighbours each); {points} points are too few for t-SNE (at least 5 are needed)."
                : $"perplexity {perplexity} needs at least {(int)Math.Ceiling(3 * perplexity) + 1} points (3·perplexity neighbours each); with {points} points use a perplexity of at most {largest}.");
        }
    }

    /// <summary>Row-normalised P₍ⱼ|ᵢ₎ over each row's k neighbours (row-major N×k), perplexity-calibrated by binary search.</summary>
    internal static float[] Conditional(NeighborGraph neighbors, double perplexity)
    {
        int n = neighbors.Count, k = neighbors.K;
        var p = new float[n * k];
        double target = Math.Log(perplexity);
        Parallel.For(0, n, i => CalibrateRow(neighbors, i, target, p.AsSpan(i * k, k)));
        return p;
    }

    /// <summary>Binary search for the Gaussian precision β of row i so that the row's entropy is ln(perplexity).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void CalibrateRow(NeighborGraph neighbors, int i, double target, Span<float> row)
    {
        int k = neighbors.K;
        var dist = neighbors.DistancesOf(i);
        Span<double> d2 = k <= 512 ? stackalloc double[k] : new double[k];
        double min = double.MaxValue;
        for (int a = 0; a < k; a++) { d2[a] = (double)dist[a] * dist[a]; min = Math.Min(min, d2[a]); }
        for (int a = 0; a < k; a++) d2[a] -= min; // shift: the nearest gets weight 1, no underflow
        double beta = 1, lo = 0, hi = double.PositiveInfinity;
        Span<double> w = k <= 512 ? stackalloc double[k] : new double[k];
        for (int step = 0; step < 200; step++)
        {
            TensorPrimitives.Multiply(d2, -beta, w);
            TensorPrimitives.Exp(w, w);
            double sum = TensorPrimitives.Sum<double>(w);
            double entropy = Math.Log(sum) + beta * TensorPrimitives.Dot<double>(w, d2) / sum;
            if (Math.Abs(entropy - target) < 1e-5) break;
            if (entropy > target) { lo = beta; beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2; }
            else { hi = beta; beta = (beta + lo) / 2; }
            if (beta > 1e300 || hi - lo < 1e-300 * Math.Max(1, beta)) break;
        }
        TensorPrimitives.Multiply(d2, -beta, w);
        TensorPrimitives.Exp(w, w);
        double total = TensorPrimitives.Sum<double>(w);
        for (int a = 0; a < k; a++) row[a] = (float)(w[a] / total);
    }
}
