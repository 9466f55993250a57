using System.Text.Json;
using System.Text.RegularExpressions;
using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Reporting;

[TestClass]
public sealed class HtmlReportWriterTests
{
    public TestContext TestContext { get; set; } = null!;

    private static DiagnosticReport _report = null!;
    private static string _html = null!;

    [ClassInitialize]
    public static void Render(TestContext _)
    {
        _report = SyntheticReport.Build();
        using var writer = new StringWriter();
        HtmlReportWriter.Render(_report, writer);
        _html = writer.ToString();
    }

    [TestMethod]
    public void EverySectionHasItsAnchorAndContentsEntryInOrder()
    {
        var anchors = Regex.Matches(_html, "<section class=\"report-section\" id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        CollectionAssert.AreEqual(SyntheticReport.SectionIds, anchors);
        var links = Regex.Matches(_html, "<a href=\"#([^\"]+)\">").Select(m => m.Groups[1].Value).ToArray();
        CollectionAssert.AreEqual(SyntheticReport.SectionIds, links);
        StringAssert.Contains(_html, "<p class=\"intro\">Layers, output shapes and parameters.</p>");
        StringAssert.Contains(_html, "<li class=\"note\">2 dead filters in conv1: 17, 40</li>");
        StringAssert.Contains(_html, "<li class=\"note skipped\">skipped: the randomization test needs labels");
        // seconds taken: 12.5 s for the embedding, 75 s shown as minutes
        StringAssert.Contains(_html, "id=\"embedding\" data-seconds=\"12.5\"");
        StringAssert.Contains(_html, "<span class=\"secs\">1 min 15 s</span>");
    }

    [TestMethod]
    public void ImagesAreTheBlocksPngBytesAsDataUris()
    {
        var expected = new List<byte[]>();
        foreach (var block in _report.Sections.SelectMany(s => s.Blocks))
        {
            if (block is FigureBlock f) expected.Add(f.Png);
            if (block is GalleryBlock g) expected.AddRange(g.Rows.SelectMany(r => r.Tiles).Select(t => t.Png));
        }
        var sources = Regex.Matches(_html, "<img src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.HasCount(expected.Count, sources);
        for (int i = 0; i < sources.Count; i++)
        {
            Assert.StartsWith("data:image/png;base64,", sources[i]);
            CollectionAssert.AreEqual(expected[i], Convert.FromBase64String(sources[i]["data:image/png;base64,".Length..]), $"image {i}");
        }
    }

    [TestMethod]
    public void NothingRefersToTheNetwork()
    {
        foreach (Match m in Regex.Matches(_html, "\\b(?:src|href|action|srcset|poster)\\s*=\\s*\"([^\"]*)\"", RegexOptions.IgnoreCase))
        {
            string url = m.Groups[1].Value;
            Assert.IsTrue(url.StartsWith("data:image/png;base64,") || url.StartsWith('#'), $"attribute {m.Value[..Math.Min(80, m.Value.Length)]} points outside the file");
        }
        Assert.DoesNotContain("http://", _html);
        Assert.DoesNotContain("https://", _html);
        Assert.DoesNotContain("@import", _html);
        Assert.DoesNotContain("url(", _html);
        StringAssert.Contains(_html, "Content-Security-Policy\" content=\"default-src 'none'; img-src data:;");
    }

    [TestMethod]
    public void TextIsEscapedEverywhere()
    {
        // the report's own script element, the scatter's JSON element, nothing else
        Assert.AreEqual(2, Regex.Matches(_html, "<script", RegexOptions.IgnoreCase).Count);
        Assert.DoesNotContain("<img src=x", _html);
        Assert.DoesNotContain("window.__pwned = 1;</script>", _html);
        string escaped = "&lt;script&gt;window.__pwned = 1;&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;";
        // title, TOC entry, intro, note, text, table caption/header/cell, gallery caption/row/tile (caption + alt), metric key/value
        Assert.IsGreaterThanOrEqualTo(12, Regex.Matches(_html, Regex.Escape(escaped)).Count);
    }

    [TestMethod]
    public void ScatterLabelsCannotCloseTheScriptElement()
    {
        var report = new DiagnosticReport();
        var section = new ReportSection("embedding", "Embedding");
        section.Blocks.Add(new ScatterBlock([new ScatterPoint(0, 0, "</script><script>alert(1)</script>", "a&b", null, 0), new ScatterPoint(1, 1, "x", null, null, 1)], "label"));
        report.Sections.Add(section);
        using var writer = new StringWriter();
        HtmlReportWriter.Render(report, writer);
        string html = writer.ToString();
        Assert.AreEqual(2, Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Count);
        using var json = JsonDocument.Parse(ScatterJson(html).Single());
        var classes = json.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).ToArray();
        CollectionAssert.AreEquivalent(new[] { "</script><script>alert(1)</script>", "a&b", "x" }, classes);
    }

    [TestMethod]
    public void ScatterCarriesOnePointPerScatterPointWithItsClassRowAndThumbnail()
    {
        var block = _report["embedding"]!.Blocks.OfType<ScatterBlock>().Single();
        StringAssert.Contains(_html, $"<figure class=\"scatter\" id=\"scatter-1\" data-points=\"{block.Points.Count}\">");
        StringAssert.Contains(_html, "<div class=\"scatter-tooltip\" id=\"scatter-1-tooltip\"");
        using var json = JsonDocument.Parse(ScatterJson(_html).Single());
        var root = json.RootElement;
        var classes = root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(c => c.ToString()).ToArray(), classes);
        var x = root.GetProperty("x").EnumerateArray().ToArray();
        var y = root.GetProperty("y").EnumerateArray().ToArray();
        var label = root.GetProperty("label").EnumerateArray().ToArray();
        var prediction = root.GetProperty("prediction").EnumerateArray().ToArray();
        var row = root.GetProperty("row").EnumerateArray().ToArray();
        var thumb = root.GetProperty("thumb").EnumerateArray().ToArray();
        var thumbs = root.GetProperty("thumbs").EnumerateArray().Select(t => Convert.FromBase64String(t.GetString()!)).ToArray();
        Assert.HasCount(block.Points.Count, x);
        Assert.HasCount(block.Points.Count, thumb);
        for (int i = 0; i < block.Points.Count; i++)
        {
            var p = block.Points[i];
            Assert.AreEqual((float)p.X, x[i].GetSingle());
            Assert.AreEqual((float)p.Y, y[i].GetSingle());
            Assert.AreEqual(p.Label, classes[label[i].GetInt32()]);
            Assert.AreEqual(p.Prediction, classes[prediction[i].GetInt32()]);
            Assert.AreEqual(p.Row, row[i].GetInt32());
            CollectionAssert.AreEqual(p.ThumbnailPng, thumbs[thumb[i].GetInt32()], $"point {i}: a 28-pixel thumbnail is kept as it is");
        }
        Assert.HasCount(30, thumbs, "identical thumbnails are stored once");
    }

    [TestMethod]
    public void LargeThumbnailsAreShrunkAndAThousandRowsStayFarUnder25MB()
    {
        // worst case for PNG: noise, 224×224, one distinct image per row
        var random = new Random(7);
        var points = new List<ScatterPoint>();
        for (int i = 0; i < 1000; i++)
        {
            var pixels = new byte[224 * 224 * 3];
            random.NextBytes(pixels);
            points.Add(new ScatterPoint(random.NextDouble(), random.NextDouble(), (i % 10).ToString(), null, new RgbImage(224, 224, pixels).EncodePng(), i));
        }
        var report = new DiagnosticReport();
        var section = new ReportSection("embedding", "Embedding");
        section.Blocks.Add(new ScatterBlock(points, "label"));
        report.Sections.Add(section);
        string dir = TestFolders.Fresh();
        string path = Path.Combine(dir, "big.html");
        HtmlReportWriter.Write(report, path);
        long bytes = new FileInfo(path).Length;
        TestContext.WriteLine($"1,000 rows with distinct noise thumbnails: {bytes} bytes");
        Assert.IsLessThan(25L << 20, bytes, $"report is {bytes} bytes");
        using var json = JsonDocument.Parse(ScatterJson(File.ReadAllText(path)).Single());
        var thumbs = json.RootElement.GetProperty("thumbs").EnumerateArray().ToArray();
        Assert.HasCount(1000, thumbs);
        foreach (var t in thumbs)
        {
            var image = RgbImage.DecodePng(Convert.FromBase64String(t.GetString()!));
            Assert.AreEqual(HtmlReportWriter.DefaultThumbnailSide, image.Width);
            Assert.AreEqual(HtmlReportWriter.DefaultThumbnailSide, image.Height);
        }
        Directory.Delete(dir, true);
    }

    [TestMethod]
    public void DuplicateOrSpacedSectionIdsAreRejected()
    {
        var report = new DiagnosticReport();
        report.Sections.Add(new ReportSection("model", "A"));
        report.Sections.Add(new ReportSection("model", "B"));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Render(report, TextWriter.Null));
        StringAssert.Contains(e.Message, "'model' is used twice");
        report.Sections.Clear();
        report.Sections.Add(new ReportSection("top patches", "A"));
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Render(report, TextWriter.Null));
        StringAssert.Contains(e.Message, "'top patches'");
    }

    [TestMethod]
    public void NonFiniteScatterCoordinateNamesTheRow()
    {
        var report = new DiagnosticReport();
        var section = new ReportSection("embedding", "Embedding");
        section.Blocks.Add(new ScatterBlock([new ScatterPoint(0, 0, "a", null, null, 0), new ScatterPoint(double.NaN, 1, "a", null, null, 41)], "label"));
        report.Sections.Add(section);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Render(report, TextWriter.Null));
        StringAssert.Contains(e.Message, "row 41");
        StringAssert.Contains(e.Message, "x = NaN");
    }

    [TestMethod]
    public void ThumbnailThatIsNotPngNamesTheRow()
    {
        var report = new DiagnosticReport();
        var section = new ReportSection("embedding", "Embedding");
        section.Blocks.Add(new ScatterBlock([new ScatterPoint(0, 0, "a", null, [0xFF, 0xD8, 0xFF, 0xE0], 7)], "label"));
        report.Sections.Add(section);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HtmlReportWriter.Render(report, TextWriter.Null));
        StringAssert.Contains(e.Message, "thumbnail of row 7");
    }

    [TestMethod]
    public void ColumnsOfNumbersAreRightAlignedWithTheirHeader()
    {
        var report = new DiagnosticReport();
        var section = new ReportSection("model", "Model");
        section.Blocks.Add(new TableBlock(["layer", "parameters", "share"], [["conv1", "9,408", "1.5 %"], ["relu", "0", ""], ["fc", "-1e3", "n/a"]]));
        report.Sections.Add(section);
        using var writer = new StringWriter();
        HtmlReportWriter.Render(report, writer);
        string html = writer.ToString();
        StringAssert.Contains(html, "<th scope=\"col\">layer</th><th class=\"num\" scope=\"col\">parameters</th><th scope=\"col\">share</th>");
        StringAssert.Contains(html, "<tr><td>conv1</td><td class=\"num\">9,408</td><td>1.5 %</td></tr>");
        StringAssert.Contains(html, "<tr><td>fc</td><td class=\"num\">-1e3</td><td>n/a</td></tr>");
    }

    [TestMethod]
    public void DurationsReadNaturally()
    {
        Assert.AreEqual("", HtmlReportWriter.Duration(0));
        Assert.AreEqual("< 0.01 s", HtmlReportWriter.Duration(0.004));
        Assert.AreEqual("0.42 s", HtmlReportWriter.Duration(0.42));
        Assert.AreEqual("12.5 s", HtmlReportWriter.Duration(12.49));
        Assert.AreEqual("2 min 05 s", HtmlReportWriter.Duration(125.2));
    }

    internal static IEnumerable<string> ScatterJson(string html) =>
        Regex.Matches(html, "<script type=\"application/json\" class=\"scatter-data\">(.*?)</script>", RegexOptions.Singleline).Select(m => m.Groups[1].Value);

    private static ReportSummary Checks(double gradientError, bool gradientPassed, double rho, bool randomizationPassed, Dictionary<string, string>? skipped = null) => new()
    {
        Sanity = new SanitySummary
        {
            GradientRelativeError = gradientError, GradientThreshold = 1e-3, GradientPassed = gradientPassed,
            RandomizationSpearman = rho, RandomizationThreshold = 0.5, RandomizationPassed = randomizationPassed,
        },
        Skipped = skipped ?? [],
    };

    [TestMethod]
    public void HeadlineNumbers_MarkFailedChecksAndSkippedSectionsAsFailures_AndPassedChecksAsPasses()
    {
        string KeyNumbers(ReportSummary summary)
        {
            var report = new DiagnosticReport { Summary = new ReportSummary { Rows = 10, Skipped = summary.Skipped, Sanity = summary.Sanity } };
            report.Sections.Add(new ReportSection("model", "Model"));
            using var writer = new StringWriter();
            HtmlReportWriter.Render(report, writer);
            return Regex.Match(writer.ToString(), "<dl class=\"key-numbers\">.*?</dl>").Value;
        }

        var failed = Checks(3.1e-2, false, 0.8, false, new() { ["investigation"] = "the layer has no spatial map" });
        string bad = KeyNumbers(failed);
        StringAssert.Contains(bad, "<div class=\"fail\" data-check=\"fail\"><dt>gradient check</dt><dd>3.1e-2 FAIL (≤ 1e-3)</dd></div>");
        StringAssert.Contains(bad, "<div class=\"fail\" data-check=\"fail\"><dt>randomization ρ</dt><dd>0.800 FAIL (&lt; 0.5)</dd></div>");
        StringAssert.Contains(bad, "<div class=\"fail\" data-check=\"fail\"><dt>skipped</dt><dd>investigation</dd></div>");
        StringAssert.Contains(bad, "<div><dt>rows</dt><dd>10</dd></div>", "plain numbers carry no verdict");

        var passed = Checks(4e-8, true, 0.1, true);
        string good = KeyNumbers(passed);
        Assert.DoesNotContain("fail", good);
        StringAssert.Contains(good, "<div class=\"pass\" data-check=\"pass\"><dt>gradient check</dt><dd>4.0e-8 pass (≤ 1e-3)</dd></div>");
        // the style sheet draws a failed headline in the report's red
        StringAssert.Matches(_html, new Regex(@"\.key-numbers div\.fail dd[^{]*\{[^}]*color: var\(--bad\)"));
    }
}
