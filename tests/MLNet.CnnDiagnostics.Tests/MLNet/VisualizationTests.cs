using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

[TestClass]
public sealed class VisualizationTests
{
    private sealed class DigitRow
    {
        public float[] Pixels { get; set; } = [];
        public int Digit { get; set; }
    }

    internal static IDataView Digits(MLContext ml, int count, int first = 0)
    {
        var images = ResNet18Fixture.Digits(count, first);
        var rows = Enumerable.Range(0, count).Select(i => new DigitRow
        {
            Pixels = images.Slice(i).Data.Select(v => v + 114f).ToArray(),
            Digit = MnistLabels.All[first + i],
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(DigitRow));
        schema[nameof(DigitRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * 224 * 224);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static readonly Lazy<(VisualizingTransformer Model, IDataView Data, string Path)> Fitted = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.Cache(Digits(ml, 160));
        string path = Path.Combine(Path.GetTempPath(), $"cnndiag-{Guid.NewGuid():N}", "report.html");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.ExtractEmbedding("Features", "Pixels"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .AppendVisualization(o => { o.ReportPath = path; o.MaxRows = 60; o.ClassVisualizationSteps = 25; });
        return (pipeline.Fit(data), data, path);
    });

    [TestMethod]
    public void Fit_WritesTheReportAndItsSummary_WithEverySectionAndSaneNumbers()
    {
        var (model, _, path) = Fitted.Value;
        Assert.AreEqual(path, model.ReportPath);
        Assert.IsTrue(File.Exists(Path.ChangeExtension(path, ".json")));
        var report = model.Report;
        Console.WriteLine(string.Join(", ", report.Summary.Timings.Select(t => $"{t.Key} {t.Value:F1} s")));
        Console.WriteLine($"accuracy {report.Summary.Classifier?.Accuracy}, knn {report.Summary.Embedding?.KnnAccuracy}, tsne trust {report.Summary.Tsne?.Trustworthiness} knn2d {report.Summary.Tsne?.KnnAccuracy2d}, gradient error {report.Summary.Sanity.GradientRelativeError}, spearman {report.Summary.Sanity.RandomizationSpearman}");
        CollectionAssert.IsSubsetOf(new[] { "model", "filters", "activations", "embedding", "investigation", "decisions", "sanity" }, report.Sections.Select(s => s.Id).ToArray());
        Assert.AreEqual(0, report.Summary.Skipped.Count, string.Join(" | ", report.Summary.Skipped.Select(p => $"{p.Key}: {p.Value}")));
        Assert.AreEqual(60, report.Summary.Rows);
        Assert.HasCount(74 + 3, report.Summary.Model.Layers, "ResNet18's 74 nodes plus the 3 of its preprocessing");
        Assert.IsNotNull(report.Summary.Classifier);
        Assert.IsGreaterThan(0.5, report.Summary.Classifier!.Accuracy, "a head fitted on these digits classifies them far above chance (0.1)");
        Assert.AreEqual(512, report.Summary.Embedding!.Dimension);
        Assert.IsGreaterThan(0.4, report.Summary.Embedding.KnnAccuracy!.Value, "ResNet18 features of digits are far from random (chance 0.1; 60 rows leave about 6 per class)");
        Assert.AreEqual(60, report.Summary.Tsne!.Points);
        Assert.IsGreaterThan(0.8, report.Summary.Tsne.Trustworthiness);
        var scatter = report["embedding"]!.Blocks.OfType<global::MLNet.CnnDiagnostics.Reporting.ScatterBlock>().Single();
        Assert.HasCount(60, scatter.Points);
        Assert.HasCount(5, report.Summary.Attributions);
        Assert.IsTrue(report.Summary.Attributions.All(a => a.Images > 0 && a.DeletionArea is not null && a.InsertionArea is not null));
        Assert.IsLessThanOrEqualTo(1e-3, report.Summary.Sanity.GradientRelativeError!.Value, "backward graph agrees with the frozen-pattern finite differences");
        Assert.IsTrue(report.Summary.Sanity.GradientPassed);
        Assert.IsTrue(report.Summary.Sanity.RandomizationPassed);
        Assert.IsLessThan(0.5, report.Summary.Sanity.RandomizationSpearman!.Value, "saliency depends on the weights");
        Assert.HasCount(3, report.Summary.ClassVisualizations);
        foreach (var c in report.Summary.ClassVisualizations)
            Assert.IsGreaterThan(c.ScoreStart + 1, c.ScoreEnd, $"class {c.Class}: gradient ascent raises the score");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
        Assert.AreEqual(60, json.RootElement.GetProperty("rows").GetInt32());
        Assert.IsGreaterThan(70, json.RootElement.GetProperty("model").GetProperty("layers").GetArrayLength());
        Assert.IsTrue(json.RootElement.GetProperty("timings").TryGetProperty("filters", out _));
    }

    [TestMethod]
    public void FittedTransformer_TransformsExactlyAsTheWrappedPipeline()
    {
        var (model, data, _) = Fitted.Value;
        var a = model.Transform(data).GetColumn<float[]>("Score").ToList();
        var b = model.Model.Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.HasCount(b.Count, a);
        for (int i = 0; i < a.Count; i++) CollectionAssert.AreEqual(b[i], a[i]);
    }

    [TestMethod]
    public void PipelineWithoutCnn_ErrorNamesTheStagesFound()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new DigitRow { Pixels = [1f, 2f], Digit = 1 }, new DigitRow { Pixels = [2f, 1f], Digit = 2 } });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Digit").AppendVisualization(o => o.ReportPath = null);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => pipeline.Fit(data));
        StringAssert.Contains(e.Message, "no CNN");
        StringAssert.Contains(e.Message, "ValueToKeyMappingTransformer");
    }

    private sealed class UnlabelledRow
    {
        public float[] Pixels { get; set; } = [];
    }

    private static IDataView UnlabelledDigits(MLContext ml, int count)
    {
        var images = ResNet18Fixture.Digits(count);
        var rows = Enumerable.Range(0, count).Select(i => new UnlabelledRow { Pixels = images.Slice(i).Data.Select(v => v + 114f).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(UnlabelledRow));
        schema[nameof(UnlabelledRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * 224 * 224);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    [TestMethod]
    public void WithoutLabelsOrClassifier_LabelDependentPartsAreSkippedWithANote()
    {
        var ml = new MLContext(seed: 1);
        var data = UnlabelledDigits(ml, 12);
        var model = ml.Transforms.ExtractEmbedding("Features", "Pixels")
            .AppendVisualization(o => { o.ReportPath = null; o.MaxRows = 12; o.Sections = ReportSections.Embedding | ReportSections.Decisions | ReportSections.Sanity; })
            .Fit(data);
        var report = model.Report;
        Assert.IsNull(model.ReportPath);
        // no whole section failed; the label- and class-dependent parts are each listed as skipped (issue 12: no silent gaps)
        string listed = string.Join(" | ", report.Summary.Skipped.Select(p => $"{p.Key}: {p.Value}"));
        Assert.IsFalse(report.Summary.Skipped.Keys.Any(k => !k.Contains('.')), listed);
        CollectionAssert.AreEquivalent(new[] { "embedding.1", "decisions.1", "decisions.2", "sanity.1" }, report.Skipped.Keys.ToArray(), listed);
        Assert.IsNull(report.Summary.Embedding!.KnnAccuracy);
        Assert.AreEqual(12, report.Summary.Tsne!.Points);
        Assert.IsNull(report.Summary.Classifier);
        StringAssert.Contains(string.Join(" ", report["embedding"]!.Notes), "no label column");
        StringAssert.Contains(string.Join(" ", report["decisions"]!.Notes), "Skipped attributions");
        StringAssert.Contains(string.Join(" ", report["sanity"]!.Notes), "Skipped");
    }

    [TestMethod]
    public void UnwritableReportPath_FailsClearly_AndLeavesNothingBehind()
    {
        var ml = new MLContext(seed: 1);
        var data = UnlabelledDigits(ml, 4);
        string dir = Path.Combine(Path.GetTempPath(), $"cnndiag-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string blocker = Path.Combine(dir, "not-a-folder");
        File.WriteAllText(blocker, "a file where the report's folder should be");
        try
        {
            var pipeline = ml.Transforms.ExtractEmbedding("Features", "Pixels")
                .AppendVisualization(o => { o.ReportPath = Path.Combine(blocker, "report.html"); o.MaxRows = 4; o.Sections = ReportSections.Model; });
            var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => pipeline.Fit(data));
            StringAssert.Contains(e.Message, blocker);
            CollectionAssert.AreEqual(new[] { blocker }, Directory.GetFileSystemEntries(dir));
            Assert.AreEqual("a file where the report's folder should be", File.ReadAllText(blocker));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
