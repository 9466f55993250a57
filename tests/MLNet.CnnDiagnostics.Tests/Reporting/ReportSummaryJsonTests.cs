using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Reporting;
using Edge = MLNet.CnnDiagnostics.Tests.MLNet.ReportEdgeCaseTests;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

/// <summary>The JSON summary of a whole report made by a pipeline: the contract's field names and their values.</summary>
[TestClass]
public sealed class ReportSummaryJsonTests
{
    [TestMethod]
    public void SummaryOfAReportOnATinyModel_HasEveryPartWithTheModelsAndThePipelinesNumbers()
    {
        const int Rows = 30;
        var ml = new MLContext(1);
        var graph = ModelGraph.Load(Edge.Tiny(1).ToByteArray(), "grey");
        var data = Edge.Data(ml, 1, Rows);
        string dir = TestFolders.Fresh();
        string path = Path.Combine(dir, "report.html");
        try
        {
            var m = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
                .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "x", Model = graph }))
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
                .AppendVisualization(o => { o.ReportPath = path; o.MaxRows = Rows; o.ClassVisualizationSteps = 2; })
                .Fit(data);
            string text = File.ReadAllText(JsonSummaryWriter.PathBeside(path));
            Assert.AreEqual(JsonSummaryWriter.Serialize(m.Report.Summary), text, "the file is the report's summary");
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;

            CollectionAssert.AreEqual(
                new[] { "rows", "skippedImages", "model", "classifier", "embedding", "tsne", "filters", "topPatches", "classVisualizations", "attributions", "sanity", "timings", "skipped" },
                root.EnumerateObject().Select(p => p.Name).ToArray(), "the summary's parts, in order (no added sections: no 'sections')");
            Assert.AreEqual(Rows, root.GetProperty("rows").GetInt32());
            Assert.AreEqual(0, root.GetProperty("skippedImages").GetArrayLength());
            Assert.AreEqual(0, root.GetProperty("skipped").EnumerateObject().Count(), text);

            // the layers of TinyModel: conv1 has 4 filters of 1×3×3 and 4 biases, fc 3×4 weights and 3 biases
            var model = root.GetProperty("model");
            Assert.AreEqual("grey", model.GetProperty("source").GetString());
            var layers = model.GetProperty("layers").EnumerateArray().ToList();
            CollectionAssert.AreEqual(new[] { "conv1", "relu1", "gap", "flatten", "fc" }, layers.Select(l => l.GetProperty("name").GetString()).ToArray());
            CollectionAssert.AreEqual(new[] { "Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm" }, layers.Select(l => l.GetProperty("op").GetString()).ToArray());
            CollectionAssert.AreEqual(new long[] { 4 * 9 + 4, 0, 0, 0, 3 * 4 + 3 }, layers.Select(l => l.GetProperty("parameters").GetInt64()).ToArray());
            CollectionAssert.AreEqual(new[] { -1, 4, 8, 8 }, layers[0].GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
            Assert.AreEqual(3, layers[0].GetProperty("receptiveField").GetInt32(), "a 3×3 convolution sees 3 pixels");
            Assert.IsTrue(model.GetProperty("layerChoices").EnumerateObject().Any());

            // the classifier is the ML.NET head: its accuracy is the pipeline's own on these rows
            var output = m.Model.Transform(data);
            var labels = output.GetColumn<uint>("Label").ToArray();
            var predicted = output.GetColumn<uint>("PredictedLabel").ToArray();
            double accuracy = labels.Zip(predicted).Count(p => p.First == p.Second) / (double)Rows;
            var classifier = root.GetProperty("classifier");
            Assert.AreEqual(accuracy, classifier.GetProperty("accuracy").GetDouble(), 1e-12);
            CollectionAssert.AreEqual(new[] { "0", "1", "2" }, classifier.GetProperty("classes").EnumerateArray().Select(e => e.GetString()).ToArray());
            StringAssert.Contains(classifier.GetProperty("source").GetString(), "ML.NET linear head (3 classes) on the CNN's 'Features'");

            var embedding = root.GetProperty("embedding");
            Assert.AreEqual("features", embedding.GetProperty("layer").GetString());
            Assert.AreEqual(4, embedding.GetProperty("dimension").GetInt32(), "GAP over conv1's 4 channels");
            Assert.IsTrue(embedding.GetProperty("knnAccuracy").GetDouble() is >= 0 and <= 1);
            var tsne = root.GetProperty("tsne");
            Assert.AreEqual(Rows, tsne.GetProperty("points").GetInt32());
            Assert.IsTrue(tsne.GetProperty("trustworthiness").GetDouble() is >= 0 and <= 1);
            Assert.IsTrue(tsne.GetProperty("knnAccuracy2d").GetDouble() is >= 0 and <= 1);

            var filters = root.GetProperty("filters")[0];
            Assert.AreEqual("conv1", filters.GetProperty("layer").GetString());
            Assert.AreEqual(4, filters.GetProperty("filters").GetInt32());
            Assert.AreEqual(JsonValueKind.Array, filters.GetProperty("dead").ValueKind);
            var patches = root.GetProperty("topPatches")[0];
            Assert.IsTrue(patches.GetProperty("channels").GetArrayLength() is > 0 and <= 4);
            Assert.IsGreaterThan(0, patches.GetProperty("k").GetInt32());
            foreach (var visualization in root.GetProperty("classVisualizations").EnumerateArray())
            {
                CollectionAssert.Contains(new[] { "0", "1", "2" }, visualization.GetProperty("class").GetString());
                Assert.AreEqual(JsonValueKind.Number, visualization.GetProperty("scoreStart").ValueKind);
                Assert.AreEqual(JsonValueKind.Number, visualization.GetProperty("scoreEnd").ValueKind);
            }
            var attributions = root.GetProperty("attributions").EnumerateArray().ToList();
            Assert.IsNotEmpty(attributions);
            foreach (var a in attributions)
            {
                Assert.IsFalse(string.IsNullOrEmpty(a.GetProperty("method").GetString()));
                Assert.IsGreaterThan(0, a.GetProperty("images").GetInt32());
                CollectionAssert.IsSubsetOf(a.EnumerateObject().Select(p => p.Name).ToArray(), new[] { "method", "images", "deletionArea", "insertionArea" });
            }

            var sanity = root.GetProperty("sanity");
            CollectionAssert.AreEqual(
                new[] { "gradientRelativeError", "gradientThreshold", "gradientPassed", "randomizationThreshold", "randomizationPassed", "randomizationSpearman" },
                sanity.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.AreEqual(sanity.GetProperty("gradientRelativeError").GetDouble() <= sanity.GetProperty("gradientThreshold").GetDouble(), sanity.GetProperty("gradientPassed").GetBoolean());
            Assert.AreEqual(sanity.GetProperty("randomizationSpearman").GetDouble() < sanity.GetProperty("randomizationThreshold").GetDouble(), sanity.GetProperty("randomizationPassed").GetBoolean());

            CollectionAssert.AreEqual(new[] { "model", "filters", "activations", "embedding", "investigation", "decisions", "sanity" },
                root.GetProperty("timings").EnumerateObject().Select(p => p.Name).ToArray());
            Assert.IsTrue(root.GetProperty("timings").EnumerateObject().All(p => p.Value.GetDouble() >= 0));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
