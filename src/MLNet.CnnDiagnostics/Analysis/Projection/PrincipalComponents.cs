using System.Numerics.Tensors;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Principal component analysis of N×D points: the mean and the leading axes of the covariance matrix, deterministic
/// (symmetric eigensolver, no randomness beyond a seeded start; each axis's largest-magnitude loading is made positive).
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
        var cov = Covariance(p, mean, maxThreads);
        double total = 0;
        for (int t = 0; t < d; t++) total += cov[t * d + t];

        var (values, vectors) = d <= 96 ? SymmetricEigen.Full(cov, d) : SymmetricEigen.Leading(cov, d, components);
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
