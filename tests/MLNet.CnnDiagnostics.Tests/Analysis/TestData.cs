using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Data;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

/// <summary>Inputs shared by the analysis tests: seeded random points, Gaussian clusters, an MNIST subset.</summary>
internal static class TestData
{
    public static FloatTensor Random(int n, int d, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var data = new float[n * d];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(scale * (rng.NextDouble() * 2 - 1));
        return new FloatTensor([n, d], data);
    }

    /// <summary><paramref name="clusters"/> Gaussian blobs (std 1) with centres 20 apart on the axes of <paramref name="d"/> dimensions.</summary>
    public static (FloatTensor points, int[] labels) Clusters(int perCluster, int clusters, int d, int seed)
    {
        var rng = new Random(seed);
        int n = perCluster * clusters;
        var data = new float[n * d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % clusters;
            labels[i] = c;
            for (int t = 0; t < d; t++)
            {
                double u = 1 - rng.NextDouble(), v = rng.NextDouble();
                double g = Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
                data[i * d + t] = (float)(g + (t == c % d ? 20 * (1 + c / d) : 0));
            }
        }
        return (new FloatTensor([n, d], data), labels);
    }

    private static readonly Lazy<(FloatTensor, int[])> Mnist2000 = new(() =>
    {
        var images = MnistReader.ReadImages(MnistPath("t10k-images-idx3-ubyte.gz"), 2000);
        var labels = MnistReader.ReadLabels(MnistPath("t10k-labels-idx1-ubyte.gz"), 2000);
        var pca = PrincipalComponents.Fit(images, 50);
        return (pca.Project(images), labels);
    });

    /// <summary>The first 2,000 MNIST test digits, pixels/255, reduced to 50 dimensions by PCA.</summary>
    public static (FloatTensor points, int[] labels) MnistPca50 => Mnist2000.Value;

    public static string MnistPath(string file) => Path.Combine(AppContext.BaseDirectory, "data", "mnist", file);

    public static FloatTensor Rows(FloatTensor t, int from, int count)
    {
        int d = t.Shape[1];
        var data = new float[count * d];
        Array.Copy(t.Data, from * d, data, 0, count * d);
        return new FloatTensor([count, d], data);
    }

    /// <summary>Double-precision distance, computed independently of the library.</summary>
    public static double Distance(FloatTensor t, int i, FloatTensor u, int j, DistanceMetric metric)
    {
        int d = t.Shape[1];
        double s = 0, a2 = 0, b2 = 0, ab = 0;
        for (int c = 0; c < d; c++)
        {
            double a = t.Data[i * d + c], b = u.Data[j * d + c];
            s += (a - b) * (a - b); a2 += a * a; b2 += b * b; ab += a * b;
        }
        if (metric == DistanceMetric.Euclidean) return Math.Sqrt(s);
        return a2 == 0 || b2 == 0 ? 1 : 1 - ab / Math.Sqrt(a2 * b2);
    }

    /// <summary>Brute-force k nearest (excluding <paramref name="self"/>), sorted by (distance, index).</summary>
    public static (int index, double distance)[] BruteForce(FloatTensor queries, int q, FloatTensor reference, int k, DistanceMetric metric, int self)
        => Enumerable.Range(0, reference.Shape[0]).Where(j => j != self)
            .Select(j => (index: j, distance: Distance(queries, q, reference, j, metric)))
            .OrderBy(p => p.distance).ThenBy(p => p.index).Take(k).ToArray();
}
