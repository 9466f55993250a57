using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Transforms.Image;
using MLNet.CnnDiagnostics.Data;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Reporting;
using SkiaSharp;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Tests.Data;

/// <summary>Broken, hostile and oversized image files in a user's own LoadImages pipeline: skipped with a named reason, never fatal, never decoded when too large.</summary>
[TestClass]
public sealed class UnreadableImageTests
{
    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
        public string Kind { get; set; } = "";
    }

    private static VisualizingTransformer Report(string folder, IEnumerable<string> files, Action<VisualizationOptions>? configure = null)
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(files.Select((f, i) => new ImageRow { ImagePath = f, Kind = (i % 2).ToString() }).ToList());
        var graph = ModelGraph.Load(SmallCnn().ToByteArray(), "small");
        return ml.Transforms.Conversion.MapValueToKey("Label", "Kind")
            .Append(ml.Transforms.LoadImages("Image", folder, nameof(ImageRow.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", 8, 8))
            .Append(ml.Transforms.ExtractPixels("x", "Image", ImagePixelExtractingEstimator.ColorBits.Red | ImagePixelExtractingEstimator.ColorBits.Green, interleavePixelColors: false))
            .Append(ml.Transforms.ExtractEmbedding(new EmbeddingExtractionOptions { OutputColumnName = "Features", InputColumnName = "x", Model = graph }))
            .AppendVisualization(o =>
            {
                o.ReportPath = null;
                o.MaxRows = 1000;
                o.Sections = ReportSections.Model;
                configure?.Invoke(o);
            })
            .Fit(data);
    }

    private static string Write(string folder, string name, byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(folder, name), bytes);
        return name;
    }

    [TestMethod]
    public void Header_OfABombPng_IsRefusedWithoutDecoding_AndValidImagesPass()
    {
        string dir = TestFolders.Fresh();
        string bomb = Path.Combine(dir, "bomb.png");
        File.WriteAllBytes(bomb, HostileImages.BombPng(16000, 16000));
        Assert.IsLessThan(1_000_000, new FileInfo(bomb).Length, "a small file");
        long before = GC.GetTotalAllocatedBytes(precise: true);
        string? problem = ImageFileCheck.Problem(bomb);
        Assert.IsLessThan(1L << 20, GC.GetTotalAllocatedBytes(precise: true) - before, "the check reads the header, not the pixels");
        Assert.IsNotNull(problem);
        StringAssert.Contains(problem, "16000×16000");
        StringAssert.Contains(problem, "256 megapixels");
        StringAssert.Contains(problem, "limit of 100 megapixels");
        Assert.IsNull(ImageFileCheck.Problem(bomb, maxPixels: 16000L * 16000), "the limit is configurable");

        File.WriteAllBytes(Path.Combine(dir, "ok.jpg"), HostileImages.Valid(20, 10, 1, SKEncodedImageFormat.Jpeg));
        Assert.IsNull(ImageFileCheck.Problem(Path.Combine(dir, "ok.jpg")));
        Assert.IsNotNull(ImageFileCheck.Problem(Path.Combine(dir, "ok.jpg"), maxPixels: 199), "20×10 is 200 pixels");
    }

    [TestMethod]
    public void BrokenFilesAmongGoodOnes_AreSkippedWithTheirFileAndReason_AndTheRestIsAnalysed()
    {
        string dir = TestFolders.Fresh();
        var files = Enumerable.Range(0, 6).Select(i => Write(dir, $"good{i}.png", HostileImages.Valid(12, 12, i))).ToList();
        files.Add(Write(dir, "empty.png", []));
        files.Add(Write(dir, "text.png", HostileImages.Text));
        files.Add(Write(dir, "bomb.png", HostileImages.BombPng(16000, 16000)));
        files.Add(Write(dir, "garbage-data.png", HostileImages.CorruptDataPng(12, 12, 3)));
        files.Add("missing.png");
        Directory.CreateDirectory(Path.Combine(dir, "folder.png"));
        files.Add("folder.png");

        var m = Report(dir, files.OrderBy(f => f, StringComparer.Ordinal));
        var skipped = m.Report.Summary.SkippedImages.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        StringAssert.Contains(skipped["empty.png"], "empty (0 bytes)");
        StringAssert.Contains(skipped["text.png"], "not an image");
        StringAssert.Contains(skipped["bomb.png"], "megapixels");
        StringAssert.Contains(skipped["missing.png"], "does not exist");
        StringAssert.Contains(skipped["folder.png"], "folder");
        // the garbage-data PNG has a valid header: Skia decodes what it can (and fills the rest), or it is skipped as corrupt
        if (skipped.TryGetValue("garbage-data.png", out var reason)) StringAssert.Contains(reason, "corrupt");
        Assert.HasCount(skipped.ContainsKey("garbage-data.png") ? 6 : 5, skipped, string.Join("; ", skipped));
        Assert.AreEqual(files.Count - skipped.Count, m.Report.Summary.Rows, "every other image is analysed");
        StringAssert.Contains(CnnDiagnostics.Reporting.JsonSummaryWriter.Serialize(m.Report.Summary), "\"skippedImages\"");
    }

    [TestMethod]
    public void SkipUnreadableImagesFalse_MakesABrokenImageAnErrorNamingIt()
    {
        string dir = TestFolders.Fresh();
        var files = Enumerable.Range(0, 3).Select(i => Write(dir, $"good{i}.png", HostileImages.Valid(12, 12, i))).Append(Write(dir, "empty.png", [])).ToList();
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => Report(dir, files, o => o.SkipUnreadableImages = false));
        StringAssert.Contains(e.Message, "empty.png");
        StringAssert.Contains(e.Message, "empty (0 bytes)");
    }

    [TestMethod]
    public void UnknownLayerInOptions_IsRefusedAtFit_NamingTheClosestLayers()
    {
        string dir = TestFolders.Fresh();
        var files = Enumerable.Range(0, 3).Select(i => Write(dir, $"good{i}.png", HostileImages.Valid(12, 12, i))).ToList();
        var e = Assert.ThrowsExactly<ArgumentException>(() => Report(dir, files, o => o.Layers = ["conv9"]));
        StringAssert.Contains(e.Message, "'conv9'");
        StringAssert.Contains(e.Message, "closest: conv1");
    }

    /// <summary>
    /// Seeded mutations of PNG and JPEG files (bit flips, truncation, inserted bytes, headers declaring huge sizes) through the
    /// report's image loading: each file is either analysed or skipped with a named reason; none is decoded above the pixel limit.
    /// </summary>
    [TestMethod]
    public void Fuzz_MutatedPngAndJpegFiles_EitherLoadOrAreSkippedWithAReason()
    {
        string dir = TestFolders.Fresh();
        var png = HostileImages.Valid(24, 16, 7);
        var jpeg = HostileImages.Valid(24, 16, 8, SKEncodedImageFormat.Jpeg);
        var rng = new Random(20240516);
        var files = new List<string>();
        var huge = new HashSet<string>();
        const long limit = 1_000_000;
        for (int i = 0; i < 160; i++)
        {
            bool isPng = i % 2 == 0;
            var original = isPng ? png : jpeg;
            string name = $"mutant{i:D3}.{(isPng ? "png" : "jpg")}";
            byte[] bytes;
            switch (rng.Next(4))
            {
                case 0: // bit flips
                    bytes = (byte[])original.Clone();
                    for (int k = rng.Next(1, 6); k > 0; k--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1: // truncation
                    bytes = original.Take(rng.Next(original.Length)).ToArray();
                    break;
                case 2: // inserted bytes
                    var list = original.ToList();
                    list.InsertRange(rng.Next(list.Count), Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256)));
                    bytes = list.ToArray();
                    break;
                default: // a header declaring another size, often a huge one
                    int w = rng.Next(2) == 0 ? rng.Next(1, 2000) : rng.Next(20000, 65535), h = rng.Next(2) == 0 ? rng.Next(1, 2000) : rng.Next(20000, 65535);
                    bytes = isPng ? HostileImages.WithDeclaredPngSize(original, w, h) : HostileImages.WithDeclaredJpegSize(original, w, h);
                    if ((long)w * h > limit) huge.Add(name);
                    break;
            }
            files.Add(Write(dir, name, bytes));
        }
        files.Add(Write(dir, "anchor0.png", png));
        files.Add(Write(dir, "anchor1.jpg", jpeg));

        var m = Report(dir, files, o => o.MaxImagePixels = limit);
        var skipped = m.Report.Summary.SkippedImages;
        Assert.AreEqual(files.Count, m.Report.Summary.Rows + skipped.Count, "every file is analysed or skipped");
        Assert.IsTrue(skipped.All(s => s.Reason.Length > 10 && files.Contains(Path.GetFileName(s.Path))), string.Join("\n", skipped));
        var skippedNames = skipped.Select(s => Path.GetFileName(s.Path)).ToHashSet();
        Assert.IsFalse(skippedNames.Contains("anchor0.png") || skippedNames.Contains("anchor1.jpg"), "valid files are analysed");
        foreach (var name in huge)
            Assert.IsTrue(skipped.Any(s => Path.GetFileName(s.Path) == name && s.Reason.Contains("megapixels")) || skippedNames.Contains(name),
                $"{name} declares more than {limit} pixels and is never decoded");
        Assert.IsNotEmpty(huge, "the mutations include huge declared sizes");
        Assert.IsGreaterThan(0, m.Report.Summary.Rows);
        Assert.IsTrue(skipped.Any(s => s.Reason.Contains("although its header is valid")), "some mutants pass the header check and fail to decode: the row-by-row recovery is exercised");
    }
}
