using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

[TestClass]
public sealed class TsneProjectionTests
{
    private sealed class Point
    {
        [VectorType(10)]
        public float[] Embedding { get; set; } = [];
        public int Cluster { get; set; }
    }

    private static List<Point> Clusters(int perCluster, int seed)
    {
        var random = new Random(seed);
        var points = new List<Point>();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < perCluster; i++)
                points.Add(new Point { Cluster = c, Embedding = Enumerable.Range(0, 10).Select(d => (float)((d == c ? 8 : 0) + random.NextDouble())).ToArray() });
        return points;
    }

    [TestMethod]
    public void ProjectTsne_TrainingRowsGetTheirFittedPositions_NewRowsLandInTheirCluster()
    {
        var ml = new MLContext(seed: 1);
        var logged = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("ProjectTsne")) lock (logged) logged.Add(e.Message); };
        var reports = new List<DiagnosticsProgress>();
        var train = ml.Data.LoadFromEnumerable(Clusters(40, 1));
        var estimator = ml.Transforms.ProjectTsne(options: new TsneOptions { Perplexity = 10, Seed = 3 }, progress: new Recorder(reports));
        var model = estimator.Fit(train);

        var fitted = model.Embedding.Coordinates;
        var positions = model.Transform(train).GetColumn<float[]>("Tsne").ToList();
        for (int i = 0; i < positions.Count; i++)
            CollectionAssert.AreEqual(new[] { fitted[i, 0], fitted[i, 1] }, positions[i]);

        var test = Clusters(5, 2);
        var placed = model.Transform(ml.Data.LoadFromEnumerable(test)).GetColumn<float[]>("Tsne").ToList();
        var trainClusters = Clusters(40, 1).Select(p => p.Cluster).ToArray();
        for (int j = 0; j < test.Count; j++)
        {
            int nearest = Enumerable.Range(0, positions.Count).MinBy(i => Math.Pow(positions[i][0] - placed[j][0], 2) + Math.Pow(positions[i][1] - placed[j][1], 2));
            Assert.AreEqual(test[j].Cluster, trainClusters[nearest], $"new point {j} lands next to its own cluster");
        }
        Assert.IsNotEmpty(reports);
        Assert.IsNotEmpty(logged);
    }

    [TestMethod]
    public void ProjectTsne_TooFewPointsForThePerplexity_SuggestsAValidOne()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Clusters(4, 1));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ml.Transforms.ProjectTsne().Fit(data));
        StringAssert.Contains(e.Message, "perplexity");
    }

    [TestMethod]
    public void ProjectTsne_Save_SaysWhyItCannot()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Clusters(20, 1));
        var model = ml.Transforms.ProjectTsne(options: new TsneOptions { Perplexity = 5, Iterations = 50, EarlyExaggerationIterations = 50 }).Fit(data);
        using var stream = new MemoryStream();
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(model, data.Schema, stream));
        StringAssert.Contains(e.Message, "ProjectTsne");
    }

    private sealed class Recorder(List<DiagnosticsProgress> reports) : IProgress<DiagnosticsProgress>
    {
        public void Report(DiagnosticsProgress value)
        {
            lock (reports) reports.Add(value);
        }
    }
}
