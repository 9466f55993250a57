using System.Text.Json;
using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

[TestClass]
public sealed class JsonSummaryWriterTests
{
    [TestMethod]
    public void SummaryHasTheKeysTheIssueAsksFor()
    {
        string dir = TestFolders.Fresh();
        string path = Path.Combine(dir, "report.json");
        JsonSummaryWriter.Write(SyntheticReport.Build(scatterPoints: 40).Summary, path);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.AreEqual(40, root.GetProperty("rows").GetInt32());
        var layer = root.GetProperty("model").GetProperty("layers")[1];
        Assert.AreEqual("conv1", layer.GetProperty("name").GetString());
        Assert.AreEqual("Conv", layer.GetProperty("op").GetString());
        CollectionAssert.AreEqual(new[] { -1, 64, 56, 56 }, layer.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.AreEqual(0.92, root.GetProperty("classifier").GetProperty("accuracy").GetDouble());
        var embedding = root.GetProperty("embedding");
        Assert.AreEqual("pool5", embedding.GetProperty("layer").GetString());
        Assert.AreEqual(512, embedding.GetProperty("dimension").GetInt32());
        Assert.AreEqual(0.93, embedding.GetProperty("knnAccuracy").GetDouble());
        var tsne = root.GetProperty("tsne");
        Assert.AreEqual(40, tsne.GetProperty("points").GetInt32());
        Assert.AreEqual(0.97, tsne.GetProperty("trustworthiness").GetDouble());
        Assert.AreEqual(0.9, tsne.GetProperty("knnAccuracy2d").GetDouble());
        Assert.AreEqual(2, root.GetProperty("filters")[0].GetProperty("dead").GetArrayLength());
        Assert.AreEqual(9, root.GetProperty("topPatches")[0].GetProperty("k").GetInt32());
        var visualization = root.GetProperty("classVisualizations")[0];
        Assert.AreEqual("3", visualization.GetProperty("class").GetString());
        Assert.AreEqual(0.1, visualization.GetProperty("scoreStart").GetDouble());
        Assert.AreEqual(9.5, visualization.GetProperty("scoreEnd").GetDouble());
        Assert.AreEqual("gradcam", root.GetProperty("attributions")[0].GetProperty("method").GetString());
        Assert.AreEqual(8, root.GetProperty("attributions")[0].GetProperty("images").GetInt32());
        Assert.AreEqual(3.6e-4, root.GetProperty("sanity").GetProperty("gradientRelativeError").GetDouble());
        Assert.AreEqual(0.05, root.GetProperty("sanity").GetProperty("randomizationSpearman").GetDouble());
        Assert.AreEqual(12.5, root.GetProperty("timings").GetProperty("embedding").GetDouble());
        StringAssert.Contains(File.ReadAllText(path), "\n  \"rows\": 40,", "indented");
        Assert.HasCount(1, Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }

    [TestMethod]
    public void MissingPartsAreLeftOutAndNonFiniteNumbersBecomeNull()
    {
        var summary = new ReportSummary
        {
            Rows = 3,
            Embedding = new EmbeddingSummary { Layer = "e", Dimension = 2, KnnAccuracy = double.NaN },
            Timings = new Dictionary<string, double> { ["model"] = double.PositiveInfinity },
        };
        using var json = JsonDocument.Parse(JsonSummaryWriter.Serialize(summary));
        var root = json.RootElement;
        Assert.IsFalse(root.TryGetProperty("classifier", out _));
        Assert.IsFalse(root.TryGetProperty("tsne", out _));
        Assert.IsFalse(root.GetProperty("sanity").TryGetProperty("gradientRelativeError", out _));
        Assert.AreEqual(JsonValueKind.Null, root.GetProperty("embedding").GetProperty("knnAccuracy").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, root.GetProperty("timings").GetProperty("model").ValueKind);
    }

    [TestMethod]
    public void SummaryReadsBackIntoItsImmutableTypes_AndWritesTheSameJson()
    {
        // the library never reads a summary back, but a reader of the contract can: init-only properties and read-only collections deserialise
        string text = JsonSummaryWriter.Serialize(SyntheticReport.Build(scatterPoints: 40).Summary);
        var read = JsonSerializer.Deserialize<ReportSummary>(text)!;
        Assert.AreEqual(40, read.Rows);
        Assert.AreEqual("conv1", read.Model.Layers[1].Name);
        CollectionAssert.AreEqual(new[] { 17, 40 }, read.Filters[0].Dead.ToArray());
        Assert.AreEqual("needs labels", read.Skipped["randomization"]);
        Assert.AreEqual(text, JsonSummaryWriter.Serialize(read));
    }

    [TestMethod]
    public void SummaryPathIsBesideTheReport()
    {
        Assert.AreEqual(Path.Combine("out", "diagnostics.json"), JsonSummaryWriter.PathBeside(Path.Combine("out", "diagnostics.html")));
        Assert.ThrowsExactly<ArgumentException>(() => JsonSummaryWriter.PathBeside("report.json"));
    }
}
