using System.Numerics.Tensors;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Principal component analysis of N×D points: the mean and the leading axes of the covariance matrix, deterministic
/// (symmetric eigensolver, no randomness beyond a seeded start; each axis's largest-magnitude loading is made positive).
/// With more dimensions than points (a flattened feature map of 12,800 values over a 500-image sample, say) the
/// eigenproblem is solved on the N×N Gram matrix of the centred points instead of the D×D covariance, which has the
/// same non-zero spectrum: memory and time then grow with N²·D, not D² (a 12,800² covariance alone is 1.3 GB).
/// </summary>
public sealed class PrincipalComponents
{
    private PrincipalComponents(float[] mean, float[] axes, double[] variances, double totalVariance)
    {
        Mean = mean;
        Axes = new FloatTensor([variances.Length, mean.Length], axes);
        ExplainedVariance = variances;
        TotalVariance = totalVariance;
    }

    /// <summary>The per-dimension mean subtracted before projecting.</summary>
    public float[] Mean { get; }

    /// <summary>Unit-length principal axes [components, D], by decreasing variance.</summary>
    public FloatTensor Axes { get; }

    /// <summary>Variance of the points along each axis (eigenvalues of the covariance, divisor N−1).</summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Sum of the variances of all D dimensions.</summary>
    public double TotalVariance { get; }

    /// <summary>Number of components kept.</summary>
    public int Components => ExplainedVariance.Length;

    /// <summary>Fits <paramref name="components"/> principal axes to [N, D] points (N ≥ 2, 1 ≤ components ≤ D).</summary>
    /// <param name="points">[N, D] finite values.</param>
    /// <param name="components">Number of axes to keep.</param>
    /// <param name="maxThreads">Most threads to use; −1 for all cores.</param>
    public static PrincipalComponents Fit(FloatTensor points, int components, int maxThreads = -1)
    {
        var p = PointMatrix.From(points, "points", 2);
        int d = p.Dimension;
        if (components < 1 || components > d)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"components must be between 1 and {d} (the dimension of the points); got {components}.");
        var mean = new float[d];
        var meanD = new double[d];
        for (int i = 0; i < p.Count; i++)
        {
            var row = p.Row(i);
            for (int t = 0; t < d; t++) meanD[t] += row[t];
        }
        for (int t = 0; t < d; t++) mean[t] = (float)(meanD[t] / p.Count);
        double total;
        double[] values;
        double[][] vectors;
        if (d > GramThreshold && d > p.Count)
        {
            (values, vectors, total) = FromGram(p, mean, components, maxThreads);
        }
        else
        {
            var cov = Covariance(p, mean, maxThreads);
            total = 0;
            for (int t = 0; t < d; t++) total += cov[t * d + t];
            (values, vectors) = d <= 96 ? SymmetricEigen.Full(cov, d) : SymmetricEigen.Leading(cov, d, components);
        }
        var axes = new float[components * d];
        var variances = new double[components];
        for (int c = 0; c < components; c++)
        {
            variances[c] = Math.Max(0, values[c]);
            int argmax = 0;
            for (int t = 1; t < d; t++) if (Math.Abs(vectors[c][t]) > Math.Abs(vectors[c][argmax])) argmax = t;
            double sign = vectors[c][argmax] < 0 ? -1 : 1;
            for (int t = 0; t < d; t++) axes[c * d + t] = (float)(sign * vectors[c][t]);
        }
        return new PrincipalComponents(mean, axes, variances, total);
    }

    /// <summary>Projects [M, D] points onto the axes: returns [M, components].</summary>
    public FloatTensor Project(FloatTensor points)
    {
        var p = PointMatrix.From(points, "points");
        int d = Mean.Length, k = Components;
        if (p.Dimension != d)
            throw new CnnDiagnosticsException($"points have {p.Dimension} dimensions; this PCA was fitted on {d}.");
        var result = new float[p.Count * k];
        var axes = Axes.Data;
        Parallel.For(0, p.Count, i =>
        {
            Span<float> centred = d <= 1024 ? stackalloc float[d] : new float[d];
            TensorPrimitives.Subtract(p.Row(i), Mean, centred);
            for (int c = 0; c < k; c++) result[i * k + c] = TensorPrimitives.Dot(centred, new ReadOnlySpan<float>(axes, c * d, d));
        });
        return new FloatTensor([p.Count, k], result);
    }

    /// <summary>Above this many dimensions, and with fewer points than dimensions, the Gram matrix is decomposed instead of the covariance.</summary>
    internal const int GramThreshold = 512;

    /// <summary>
    /// The leading eigenpairs of the covariance from the Gram matrix G = Xc·Xcᵀ/(N−1) of the centred points: G·u = λ·u gives
    /// the covariance axis v = Xcᵀ·u / |Xcᵀ·u| with the same λ. Axes past the points' rank (λ = 0) are completed with
    /// unit vectors made orthogonal to the earlier axes, so every axis still has unit length.
    /// </summary>
    private static (double[] Values, double[][] Vectors, double Total) FromGram(PointMatrix p, float[] mean, int components, int maxThreads)
    {
        int n = p.Count, d = p.Dimension;
        var centred = new float[n * d];
        for (int i = 0; i < n; i++) TensorPrimitives.Subtract(p.Row(i), mean, new Span<float>(centred, i * d, d));
        var gram = new double[n * n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, i =>
        {
            var row = new ReadOnlySpan<float>(centred, i * d, d);
            for (int j = 0; j <= i; j++)
            {
                double dot = 0;
                var other = new ReadOnlySpan<float>(centred, j * d, d);
                for (int t = 0; t < d; t += 1024) // float dots over short blocks, summed in double
                    dot += TensorPrimitives.Dot(row.Slice(t, Math.Min(1024, d - t)), other.Slice(t, Math.Min(1024, d - t)));
                gram[i * n + j] = gram[j * n + i] = dot / (n - 1);
            }
        });
        double total = 0;
        for (int i = 0; i < n; i++) total += gram[i * n + i];
        int fromGram = Math.Min(components, n);
        var (gramValues, gramVectors) = n <= 96 ? SymmetricEigen.Full(gram, n) : SymmetricEigen.Leading(gram, n, fromGram);
        var values = new double[components];
        var vectors = new double[components][];
        // below float precision of the largest variance an eigenvalue is round-off, and its direction noise
        double floor = 1e-6 * Math.Max(gramValues[0], double.Epsilon);
        int c = 0;
        for (; c < fromGram && gramValues[c] > floor; c++)
        {
            var v = new double[d];
            for (int i = 0; i < n; i++)
            {
                double u = gramVectors[c][i];
                for (int t = 0; t < d; t++) v[t] += u * centred[i * d + t];
            }
            Normalize(v);
            (values[c], vectors[c]) = (gramValues[c], v);
        }
        // beyond the rank: zero variance, any direction orthogonal to the axes found so far
        for (int basis = 0; c < components && basis < d; basis++)
        {
            var v = new double[d];
            v[basis] = 1;
            for (int k = 0; k < c; k++)
            {
                double along = vectors[k][basis];
                for (int t = 0; t < d; t++) v[t] -= along * vectors[k][t];
            }
            if (Normalize(v) < 1e-6) continue;
            (values[c], vectors[c]) = (0, v);
            c++;
        }
        return (values, vectors, total);
    }

    private static double Normalize(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        if (norm > 0) for (int t = 0; t < v.Length; t++) v[t] /= norm;
        return norm;
    }

    /// <summary>Sample covariance (divisor N−1), D×D row-major, accumulated in double over blocks of 256 points.</summary>
    private static double[] Covariance(PointMatrix p, float[] mean, int maxThreads)
    {
        const int chunk = 256;
        int n = p.Count, d = p.Dimension, width = DotProductPanel.Padded(d);
        int chunks = (n + chunk - 1) / chunk;
        int shards = Math.Min(8, chunks); // fixed shard count: the sum order does not depend on the thread count
        var partial = new double[shards][];
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, s =>
        {
            var acc = new double[d * d];
            var transposed = new float[d * chunk];
            var panel = new float[chunk * width];
            var product = new float[d * width];
            for (int c = s * chunks / shards; c < (s + 1) * chunks / shards; c++)
            {
                int first = c * chunk, count = Math.Min(chunk, n - first);
                Array.Clear(transposed);
                Array.Clear(panel);
                for (int i = 0; i < count; i++)
                {
                    var row = p.Row(first + i);
                    for (int t = 0; t < d; t++)
                    {
                        float v = row[t] - mean[t];
                        transposed[t * chunk + i] = v;
                        panel[i * width + t] = v;
                    }
                }
                DotProductPanel.Multiply(transposed, chunk, 0, d, panel, width, product);
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++) acc[a * d + b] += product[a * width + b];
            }
            partial[s] = acc;
        });
        var cov = new double[d * d];
        foreach (var acc in partial)
            for (int i = 0; i < cov.Length; i++) cov[i] += acc[i];
        for (int i = 0; i < cov.Length; i++) cov[i] /= n - 1;
        return cov;
    }
}
