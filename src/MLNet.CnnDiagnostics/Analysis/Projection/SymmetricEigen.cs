namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Eigen-decomposition of a real symmetric matrix (row-major, double): cyclic Jacobi, and subspace iteration for the leading part.</summary>
internal static class SymmetricEigen
{
    /// <summary>All eigenpairs by cyclic Jacobi rotations, eigenvalues descending; vectors[c] is the c-th eigenvector.</summary>
    public static (double[] values, double[][] vectors) Full(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            }
            if (off <= 1e-30 * Math.Max(diag, 1e-300)) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double app = a[p * n + p], aqq = a[q * n + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i * n + i]).ThenBy(i => i).ToArray();
        var values = order.Select(i => a[i * n + i]).ToArray();
        var vectors = order.Select(i => Enumerable.Range(0, n).Select(k => v[k * n + i]).ToArray()).ToArray();
        return (values, vectors);
    }

    /// <summary>
    /// The <paramref name="count"/> leading eigenpairs by subspace iteration with a guard block, then Rayleigh–Ritz
    /// through <see cref="Full"/>; the start block is fixed (seeded), so the result is deterministic.
    /// </summary>
    public static (double[] values, double[][] vectors) Leading(double[] matrix, int n, int count)
    {
        int m = Math.Min(n, count + Math.Max(10, count / 2));
        var rng = new Random(12345);
        var q = new double[m][];
        for (int c = 0; c < m; c++) { q[c] = new double[n]; for (int i = 0; i < n; i++) q[c][i] = rng.NextDouble() - 0.5; }
        Orthonormalize(q);
        double[] previous = new double[count];
        double[] values = [];
        double[][] ritz = [];
        for (int iteration = 0; iteration < 300; iteration++)
        {
            var z = new double[m][];
            Parallel.For(0, m, c => z[c] = Multiply(matrix, n, q[c]));
            Orthonormalize(z);
            q = z;
            if (iteration % 5 != 4) continue;
            (values, ritz) = RayleighRitz(matrix, n, q);
            double change = 0;
            for (int c = 0; c < count; c++) change = Math.Max(change, Math.Abs(values[c] - previous[c]) / Math.Max(Math.Abs(values[0]), 1e-300));
            Array.Copy(values, previous, count);
            if (change < 1e-12) break;
        }
        return (values, ritz);
    }

    private static (double[] values, double[][] vectors) RayleighRitz(double[] matrix, int n, double[][] q)
    {
        int m = q.Length;
        var aq = new double[m][];
        Parallel.For(0, m, c => aq[c] = Multiply(matrix, n, q[c]));
        var small = new double[m * m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) small[a * m + b] = Dot(q[a], aq[b]);
        var (values, w) = Full(small, m);
        var vectors = new double[m][];
        for (int c = 0; c < m; c++)
        {
            vectors[c] = new double[n];
            for (int a = 0; a < m; a++)
                for (int i = 0; i < n; i++) vectors[c][i] += w[c][a] * q[a][i];
        }
        return (values, vectors);
    }

    private static double[] Multiply(double[] matrix, int n, double[] x)
    {
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += matrix[i * n + j] * x[j];
            y[i] = s;
        }
        return y;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Orthonormalize(double[][] q)
    {
        for (int c = 0; c < q.Length; c++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int b = 0; b < c; b++)
                {
                    double proj = Dot(q[c], q[b]);
                    for (int i = 0; i < q[c].Length; i++) q[c][i] -= proj * q[b][i];
                }
            double norm = Math.Sqrt(Dot(q[c], q[c]));
            if (norm < 1e-300) { Array.Clear(q[c]); q[c][c % q[c].Length] = 1; norm = 1; }
            for (int i = 0; i < q[c].Length; i++) q[c][i] /= norm;
        }
    }
}
