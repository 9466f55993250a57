using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Microsoft.ML;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Rendering;
using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

/// <summary>A section written outside the library, added with <see cref="VisualizationOptions.AddSection"/>, reaches the page and the JSON summary.</summary>
[TestClass]
public sealed class CustomSectionTests
{
    /// <summary>A user's section: the mean model input over the sample (a typed result, a headline, a skip, a figure).</summary>
    private sealed class InputMeanSection : DiagnosticSection<InputMeanSection.Result>
    {
        public sealed class Result : SectionResult
        {
            [JsonPropertyName("mean")] public double Mean { get; set; }

            [JsonPropertyName("labelled")] public int Labelled { get; set; }

            [JsonIgnore] public RgbImage? First { get; set; }
        }

        public override string Id => "input-mean";

        public override string Title => "Input mean";

        public override string Introduction => "The mean model input over the sample.";

        public override Result Analyze(ReportContext context)
        {
            var x = context.Batch(Enumerable.Range(0, context.Rows).ToList());
            var result = new Result
            {
                Mean = x.Data.Average(v => (double)v),
                Labelled = Enumerable.Range(0, context.Rows).Count(r => context.Label(r) is not null),
                First = context.Image(0),
            };
            result.Headlines.Add(new Headline("input mean", result.Mean.ToString("F3", CultureInfo.InvariantCulture), result.Mean));
            result.Skip("per-class means", "not computed by this section");
            return result;
        }

        public override void Render(Result result, SectionWriter writer)
        {
            writer.Metrics(("mean input", result.Mean.ToString("F3", CultureInfo.InvariantCulture)));
            writer.Figure(result.First!, "row 0");
        }
    }

    /// <summary>A section whose analysis fails.</summary>
    private sealed class FailingSection(string id = "failing") : DiagnosticSection<FailingSection.Result>
    {
        public sealed class Result : SectionResult;

        public override string Id => id;

        public override string Title => "Failing";

        public override Result Analyze(ReportContext context) => throw new CnnDiagnosticsException("this section needs a GPU");

        public override void Render(Result result, SectionWriter writer) { }
    }

    [TestMethod]
    public void AddedSection_AppearsInThePageAndTheSummary_AfterTheBuiltInOnes_AndAFailingOneIsSkipped()
    {
        var ml = new MLContext(1);
        const int Rows = 24;
        var data = ReportEdgeCaseTests.Data(ml, 3, Rows);
        // independent of the report: the mean of every value of every row as given to the pipeline
        double expected = ml.Data.CreateEnumerable<ReportEdgeCaseTests.Row>(data, reuseRowObject: false).SelectMany(r => r.x).Average(v => (double)v);
        string path = Path.Combine(Path.GetTempPath(), $"cnndiag-{Guid.NewGuid():N}", "report.html");
        var graph = ModelGraph.Load(ReportEdgeCaseTests.Tiny(3).ToByteArray(), "tiny");
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "x", Model = graph }))
            .AppendVisualization(o =>
            {
                o.ReportPath = path;
                o.MaxRows = Rows;
                o.Sections = ReportSections.Model;
                o.AddSection(new InputMeanSection()).AddSection(new FailingSection());
            })
            .Fit(data);
        try
        {
            var report = model.Report;
            CollectionAssert.AreEqual(new[] { "model", "input-mean", "failing" }, report.Sections.Select(s => s.Id).ToArray());
            var result = (InputMeanSection.Result)report.Summary.Sections["input-mean"];
            Assert.AreEqual(expected, result.Mean, 1e-4 * Math.Max(1, Math.Abs(expected)));
            Assert.AreEqual(Rows, result.Labelled);

            string html = File.ReadAllText(path);
            string section = html[html.IndexOf("<section class=\"report-section\" id=\"input-mean\"", StringComparison.Ordinal)..];
            section = section[..section.IndexOf("</section>", StringComparison.Ordinal)];
            StringAssert.Contains(section, "<h2><span class=\"num\">2</span> Input mean</h2>");
            StringAssert.Contains(section, "<p class=\"intro\">The mean model input over the sample.</p>");
            StringAssert.Contains(section, $"<dt>mean input</dt><dd>{expected.ToString("F3", CultureInfo.InvariantCulture)}</dd>");
            StringAssert.Contains(section, "<li class=\"note skipped\">Skipped per-class means: not computed by this section.</li>");
            Assert.AreEqual(1, section.Split("<img src=\"data:image/png;base64,").Length - 1, "the figure");
            StringAssert.Contains(html, $"<div><dt>input mean</dt><dd>{expected.ToString("F3", CultureInfo.InvariantCulture)}</dd></div>");
            StringAssert.Contains(html, "<li class=\"note skipped\">This section could not be completed: this section needs a GPU</li>");

            using var json = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
            var root = json.RootElement;
            var added = root.GetProperty("sections").GetProperty("input-mean");
            Assert.AreEqual(expected, added.GetProperty("mean").GetDouble(), 1e-4 * Math.Max(1, Math.Abs(expected)));
            Assert.AreEqual(Rows, added.GetProperty("labelled").GetInt32());
            Assert.AreEqual("per-class means", added.GetProperty("notes")[0].GetProperty("skip").GetProperty("part").GetString());
            Assert.IsFalse(added.TryGetProperty("First", out _) || added.TryGetProperty("first", out _), "images stay out of the JSON");
            var skipped = root.GetProperty("skipped");
            StringAssert.Contains(skipped.GetProperty("input-mean.1").GetString(), "not computed by this section");
            Assert.AreEqual("this section needs a GPU", skipped.GetProperty("failing").GetString());
            Assert.IsTrue(root.GetProperty("timings").TryGetProperty("input-mean", out _));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, true);
        }
    }

    [TestMethod]
    public void AddSection_RefusesATakenIdAndAnIdWithSpaces()
    {
        var options = new VisualizationOptions();
        options.AddSection(new InputMeanSection());
        var e = Assert.ThrowsExactly<ArgumentException>(() => options.AddSection(new InputMeanSection()));
        StringAssert.Contains(e.Message, "'input-mean'");
        StringAssert.Contains(e.Message, "already taken");
        StringAssert.Contains(e.Message, "model, filters");
        e = Assert.ThrowsExactly<ArgumentException>(() => options.AddSection(new FailingSection("model")));
        StringAssert.Contains(e.Message, "'model'");
        e = Assert.ThrowsExactly<ArgumentException>(() => options.AddSection(new FailingSection("two words")));
        StringAssert.Contains(e.Message, "without spaces");
        Assert.HasCount(1, options.AddedSections);
    }
}
