using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class PrincipalComponentsTests
{
    [TestMethod]
    public void Fit_PointsAlongALine_FindsTheLineFirst()
    {
        var rng = new Random(3);
        var data = new float[400 * 2];
        for (int i = 0; i < 400; i++)
        {
            double t = rng.NextDouble() * 10 - 5, e = (rng.NextDouble() - 0.5) * 0.1;
            data[2 * i] = (float)(t * 1 / Math.Sqrt(5) - e * 2 / Math.Sqrt(5) + 3);
            data[2 * i + 1] = (float)(t * 2 / Math.Sqrt(5) + e * 1 / Math.Sqrt(5) - 1);
        }
        var pca = PrincipalComponents.Fit(new FloatTensor([400, 2], data), 2);
        Assert.AreEqual(1 / Math.Sqrt(5), pca.Axes[0, 0], 1e-3);
        Assert.AreEqual(2 / Math.Sqrt(5), pca.Axes[0, 1], 1e-3);
        Assert.AreEqual(3, pca.Mean[0], 0.3);
    }

    [TestMethod]
    [DataRow(30, 5, 500)]    // Jacobi on the full covariance
    [DataRow(130, 8, 500)]   // subspace iteration
    [DataRow(1500, 6, 40)]   // more dimensions than points: the Gram matrix (Jacobi)
    [DataRow(1200, 9, 150)]  // the Gram matrix by subspace iteration
    [DataRow(900, 20, 12)]   // more components than the points' rank (11): zero-variance axes complete the set
    public void Fit_AxesAreEigenvectorsOfTheNaiveCovariance(int d, int components, int n)
    {
        // decaying scales so that the spectrum is spread out
        var rng = new Random(d);
        var data = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < d; t++) data[i * d + t] = (float)((rng.NextDouble() - 0.5) * 10 / (1 + t) + (t > 0 ? 0.3 * data[i * d + t - 1] : 0));
        var points = new FloatTensor([n, d], data);
        var pca = PrincipalComponents.Fit(points, components);

        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int t = 0; t < d; t++) mean[t] += data[i * d + t] / (double)n;
        var cov = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) cov[a, b] += (data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b]) / (n - 1);

        for (int c = 0; c < components; c++)
        {
            double lambda = pca.ExplainedVariance[c], residual = 0, norm = 0;
            for (int a = 0; a < d; a++)
            {
                double cv = 0;
                for (int b = 0; b < d; b++) cv += cov[a, b] * pca.Axes[c, b];
                residual += Math.Pow(cv - lambda * pca.Axes[c, a], 2);
                norm += Math.Pow(pca.Axes[c, a], 2);
            }
            Assert.AreEqual(1, norm, 1e-4, $"axis {c} has unit length");
            Assert.IsLessThan(1e-3 * pca.ExplainedVariance[0], Math.Sqrt(residual), $"axis {c}: C·v = λ·v");
            if (c > 0) Assert.IsGreaterThanOrEqualTo(lambda - 1e-9, pca.ExplainedVariance[c - 1]);
            for (int e = 0; e < c; e++)
            {
                double dot = 0;
                for (int a = 0; a < d; a++) dot += pca.Axes[c, a] * pca.Axes[e, a];
                Assert.AreEqual(0, dot, 1e-4, $"axes {e} and {c} are orthogonal");
            }
        }
        // the projection's variance along axis 0 is the first eigenvalue
        var projected = pca.Project(points);
        double m0 = Enumerable.Range(0, n).Average(i => projected[i, 0]);
        double v0 = Enumerable.Range(0, n).Sum(i => Math.Pow(projected[i, 0] - m0, 2)) / (n - 1);
        Assert.AreEqual(pca.ExplainedVariance[0], v0, 1e-3 * v0);
    }
}
