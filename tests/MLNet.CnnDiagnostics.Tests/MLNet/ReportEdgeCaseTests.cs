using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

/// <summary>Pipelines other than the QuickStart's: grey models, models with their own classifier, ApplyOnnxModel, DnnFeaturizeImage, sorted data.</summary>
[TestClass]
public sealed class ReportEdgeCaseTests
{
    public sealed class Row
    {
        public float[] x { get; set; } = [];
        public int Digit { get; set; }
    }

    /// <summary>x[N,c,8,8] → Conv → Relu → GAP → Flatten (features) → Gemm (3 logits).</summary>
    internal static ModelProto Tiny(int channels, bool alsoFeaturesOutput = false)
    {
        var g = new GraphProto { Name = "tiny" };
        g.Input.Add(Value("x", -1, channels, 8, 8));
        g.Initializer.Add(FloatInit("w", [4, channels, 3, 3], Random(36 * channels, 1)));
        g.Initializer.Add(FloatInit("b", [4], Random(4, 2)));
        g.Initializer.Add(FloatInit("fc_w", [3, 4], Random(12, 3)));
        g.Initializer.Add(FloatInit("fc_b", [3], Random(3, 4)));
        g.Node.Add(Node("Conv", "conv1", ["x", "w", "b"], ["c1"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)));
        g.Node.Add(Node("Relu", "relu1", ["c1"], ["r1"]));
        g.Node.Add(Node("GlobalAveragePool", "gap", ["r1"], ["gap_out"]));
        g.Node.Add(Node("Flatten", "flatten", ["gap_out"], ["features"], Int("axis", 1)));
        g.Node.Add(Node("Gemm", "fc", ["features", "fc_w", "fc_b"], ["logits"], Int("transB", 1)));
        g.Output.Add(Value("logits", -1, 3));
        if (alsoFeaturesOutput) g.Output.Add(Value("features", -1, 4));
        return Model(g);
    }

    internal static IDataView Data(MLContext ml, int channels, int n, Func<float[], int>? label = null)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, n).Select(i =>
        {
            var p = Enumerable.Range(0, channels * 64).Select(_ => (float)(random.NextDouble() - 0.5 + 0.3 * (i % 3 - 1)) * 255f).ToArray();
            return new Row { x = p, Digit = label?.Invoke(p) ?? i % 3 };
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["x"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, channels * 64);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static string Skipped(VisualizingTransformer m) => string.Join(" | ", m.Report.Summary.Skipped.Select(p => $"{p.Key}: {p.Value}"));

    [TestMethod]
    public void GreyModel_GetsEverySection()
    {
        var ml = new MLContext(1);
        var graph = ModelGraph.Load(Tiny(1).ToByteArray(), "grey");
        var m = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "x", Model = graph }))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .AppendVisualization(o => { o.ReportPath = null; o.MaxRows = 30; o.ClassVisualizationSteps = 2; })
            .Fit(Data(ml, 1, 30));
        Assert.AreEqual(0, m.Report.Summary.Skipped.Count, Skipped(m));
        Assert.IsNotNull(m.Report.Summary.Classifier);
    }

    [TestMethod]
    public void ApplyOnnxModelOnOneOfTheOutputs_UsesThatTensorAsTheEmbedding()
    {
        var ml = new MLContext(1);
        string path = Path.Combine(Path.GetTempPath(), $"cnndiag-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, Tiny(3, alsoFeaturesOutput: true).ToByteArray());
        try
        {
            var m = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
                .Append(ml.Transforms.ApplyOnnxModel(["features"], ["x"], path))
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "features"))
                .AppendVisualization(o => { o.ReportPath = null; o.MaxRows = 30; o.Sections = ReportSections.Embedding | ReportSections.Decisions | ReportSections.Sanity; })
                .Fit(Data(ml, 3, 30));
            Assert.AreEqual(0, m.Report.Summary.Skipped.Count, Skipped(m));
            Assert.AreEqual("features", m.Report.Summary.Embedding!.Layer);
            StringAssert.Contains(m.Report.Summary.Classifier!.Source, "ML.NET linear head");
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void ModelsOwnClassifier_IntegerLabelsAreItsClassIds_WhateverTheKeyOrder()
    {
        var ml = new MLContext(1);
        var graph = ModelGraph.Load(Tiny(3).ToByteArray(), "tiny");
        using var exec = new OnnxExecutor(graph);
        int ArgMax(float[] p)
        {
            var l = exec.Run(new FloatTensor([1, 3, 8, 8], p))["logits"].Data;
            return Array.IndexOf(l, l.Max());
        }
        var data = Data(ml, 3, 40, ArgMax); // each label is the model's own prediction: the true accuracy is 100%
        var labels = data.GetColumn<int>("Digit").ToList();
        var firstSeen = labels.Distinct().ToList();
        CollectionAssert.AreNotEqual(firstSeen.Order().ToList(), firstSeen, "the key order (first appearance) differs from the class order, as the test needs");
        var m = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "x", Model = graph }))
            .AppendVisualization(o => { o.ReportPath = null; o.MaxRows = 40; o.Sections = ReportSections.Decisions; })
            .Fit(data);
        Assert.AreEqual(1.0, m.Report.Summary.Classifier!.Accuracy, Skipped(m));
        StringAssert.Contains(m.Report.Summary.Classifier.Source, "own classifier layer 'fc'");
    }

    [TestMethod]
    public void TapNamedLikeItsInputColumn_IsRejectedWhenThePipelineIsBuilt()
    {
        var ml = new MLContext(1);
        var graph = ModelGraph.Load(Tiny(3).ToByteArray(), "tiny");
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "x", InputColumnName = "x", Model = graph }));
        StringAssert.Contains(e.Message, "'x'");
        var data = ml.Transforms.CopyColumns("Pixels", "x").Fit(Data(ml, 3, 4)).Transform(Data(ml, 3, 4));
        using var tap = ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "x", InputColumnName = "Pixels", Model = graph }).Fit(data);
        Assert.HasCount(4, tap.Transform(data).GetColumn<float[]>("x").First(), "a column may take the model input's own name once the input is renamed");
    }

    public sealed class ClassRow
    {
        public int Digit { get; set; }
    }

    [TestMethod]
    public void Sample_OfSortedStreamingData_CoversEveryClass()
    {
        var ml = new MLContext(1);
        static IEnumerable<ClassRow> Sorted() { for (int i = 0; i < 5000; i++) yield return new ClassRow { Digit = i / 500 }; }
        var view = ml.Data.LoadFromEnumerable(Sorted());
        var counts = RowSampleDataView.Create(view, 500, seed: 1).GetColumn<int>("Digit").GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());
        Assert.HasCount(10, counts);
        Assert.AreEqual(500, counts.Values.Sum());
        Assert.IsTrue(counts.Values.All(c => c is > 25 and < 80), string.Join(" ", counts.Select(p => $"{p.Key}:{p.Value}")));
    }

    [TestMethod]
    public void DnnFeaturizeImage_IsFoundThroughItsColumnCopies()
    {
        var ml = new MLContext(1);
        var data = VisualizationTests.Digits(ml, 24);
        var m = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.DnnFeaturizeImage("Features", d => d.ModelSelector.ResNet18(ml, d.OutputColumn, d.InputColumn), "Pixels"))
            .AppendCacheCheckpoint(ml) // the trainer's passes read cached features instead of re-running ResNet18 row by row
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .AppendVisualization(o => { o.ReportPath = null; o.MaxRows = 12; o.Sections = ReportSections.Model | ReportSections.Embedding | ReportSections.Decisions; })
            .Fit(data);
        Assert.AreEqual(0, m.Report.Summary.Skipped.Count, Skipped(m));
        Assert.HasCount(3 + 74, m.Report.Summary.Model.Layers, "preprocessing and ResNet18 composed");
        Assert.AreEqual(512, m.Report.Summary.Embedding!.Dimension);
        StringAssert.Contains(m.Report.Summary.Classifier!.Source, "ML.NET linear head");
    }

    [TestMethod]
    public void HeadOnNormalisedEmbeddings_IsFoldedWithTheNormalisation()
    {
        var ml = new MLContext(1);
        var graph = ModelGraph.Load(Tiny(3).ToByteArray(), "tiny");
        var data = Data(ml, 3, 30);
        var m = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "x", Model = graph, Layer = "features", Normalize = true }))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .AppendVisualization(o => { o.ReportPath = null; o.MaxRows = 30; o.Sections = ReportSections.Decisions | ReportSections.Sanity; })
            .Fit(data);
        Assert.AreEqual(0, m.Report.Summary.Skipped.Count, Skipped(m));
        StringAssert.Contains(m.Report.Summary.Classifier!.Source, "L2-normalised");
        Assert.IsNotEmpty(m.Report.Summary.Attributions);
        Assert.IsLessThanOrEqualTo(1e-3, m.Report.Summary.Sanity.GradientRelativeError!.Value, "the Sqrt of the normalised head is smooth: the frozen-pattern check covers it with its smaller steps");
        Assert.IsTrue(m.Report.Summary.Sanity.GradientPassed);

        // The folded head reproduces ML.NET's own scores: softmax(W·f/‖f‖ + b).
        var head = CnnLocator.FindHead(m.Model)!;
        using var engine = new GradientEngine(graph, new LinearHead("features", head.Weights, head.Bias) { NormalizeFeatures = true });
        var scores = m.Model.Transform(data).GetColumn<float[]>("Score").ToList();
        var pixels = data.GetColumn<float[]>("x").ToList();
        for (int i = 0; i < 5; i++)
        {
            var logits = engine.Evaluate(new FloatTensor([1, 3, 8, 8], pixels[i]), new ClassTarget(0), [LinearHead.LogitsTensor]).Outputs[LinearHead.LogitsTensor].Data;
            double max = logits.Max(), sum = logits.Sum(v => Math.Exp(v - max));
            for (int k = 0; k < logits.Length; k++)
                Assert.AreEqual(scores[i][k], Math.Exp(logits[k] - max) / sum, 1e-4, $"row {i} class {k}");
        }
    }
}
