using System.Text.Json;
using Google.Protobuf;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Cli.Tests;

[TestClass]
public sealed class CnnDiagTests
{
    // once for the assembly: every test class shares the fixture folder
    [AssemblyCleanup]
    public static void RemoveFixtureFiles() => CliFixture.Delete();

    private static void AssertOneLineError(CnnDiagProcess.Result r)
    {
        Assert.IsFalse(r.Error.Contains("   at "), $"no stack trace for a user mistake:\n{r}");
        Assert.IsFalse(r.Error.Contains("Exception"), $"no exception type names for a user mistake:\n{r}");
    }

    [TestMethod]
    public void Layers_PrintsEveryLayer_WithShapesParametersAndHandComputedReceptiveFields()
    {
        var r = CnnDiagProcess.Run("layers", "--model", CliFixture.Model);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        var lines = r.Out.Split('\n').Select(l => l.TrimEnd()).ToList();
        string Row(string name) => lines.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        string[] Cells(string name) => Row(name).Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        CollectionAssert.AreEqual(new[] { "conv1", "Conv", "[N,8,32,32]", "224", "3×3" }, Cells("conv1"), "8·3·3·3 weights + 8 biases");
        CollectionAssert.AreEqual(new[] { "pool1", "MaxPool", "[N,8,16,16]", "0", "4×4" }, Cells("pool1"));
        CollectionAssert.AreEqual(new[] { "conv2", "Conv", "[N,16,16,16]", "1,168", "8×8" }, Cells("conv2"), "16·8·9 + 16 = 1168; field 4 + 2·2");
        CollectionAssert.AreEqual(new[] { "pool2", "MaxPool", "[N,16,8,8]", "0", "10×10" }, Cells("pool2"));
        CollectionAssert.AreEqual(new[] { "conv3", "Conv", "[N,16,8,8]", "2,320", "18×18" }, Cells("conv3"), "16·16·9 + 16; field 10 + 2·4");
        CollectionAssert.AreEqual(new[] { "fc", "Gemm", "[N,3]", "51", "-" }, Cells("fc"));
        StringAssert.Contains(r.Out, "11 layers, 3,763 parameters", "224 + 1168 + 2320 + 51");
    }

    [TestMethod]
    public void Report_OverAnImageFolder_WritesTheLibrarysPageAndSummary_AndNoOtherFile()
    {
        string dir = CliFixture.NewOutputFolder();
        string html = Path.Combine(dir, "report.html");
        var r = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images,
            "--mean", "0.5", "--std", "0.25", "--max-rows", "12", "--out", html);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        string json = Path.ChangeExtension(html, ".json");
        Assert.IsTrue(File.Exists(json), r.ToString());
        Assert.IsTrue(File.Exists(html), r.ToString());
        StringAssert.Contains(File.ReadAllText(html), "conv3", "the page shows the model's layers");
        CollectionAssert.IsSubsetOf(Directory.GetFiles(dir).Select(Path.GetFileName).ToArray(), new[] { "report.html", "report.json" }, "only the named report and its summary");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.AreEqual(12, doc.RootElement.GetProperty("rows").GetInt32());
        var layers = doc.RootElement.GetProperty("model").GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()).ToList();
        Assert.HasCount(11 + 3, layers, "the tiny CNN's 11 nodes and the 3 of its input normalisation");
        CollectionAssert.IsSubsetOf(new[] { "conv1", "conv3", "fc" }, layers);
        Assert.IsTrue(doc.RootElement.TryGetProperty("classifier", out var classifier), "the model's own logits serve as the classifier");
        Assert.IsTrue(classifier.GetProperty("accuracy").GetDouble() is >= 0 and <= 1);
        Assert.IsGreaterThan(0, doc.RootElement.GetProperty("attributions").GetArrayLength(), "attributions explain the model's own class scores");
        Assert.IsFalse(doc.RootElement.TryGetProperty("skipped", out var skipped) && skipped.EnumerateObject().Any(), $"no section skipped: {(doc.RootElement.TryGetProperty("skipped", out var s) ? s.ToString() : "")}");
        Assert.IsFalse(r.Error.Contains('\r'), "no progress bar when stderr is redirected");
    }

    [TestMethod]
    public void Report_OnAOneChannelModel_FeedsGreyPixels()
    {
        string dir = CliFixture.NewOutputFolder();
        string html = Path.Combine(dir, "grey.html");
        var r = CnnDiagProcess.Run("report", "--model", CliFixture.GreyModel, "--images", CliFixture.Images, "--grayscale", "--max-rows", "6", "--out", html);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "input 1×32×32");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        Assert.AreEqual(6, doc.RootElement.GetProperty("rows").GetInt32());
    }

    [TestMethod]
    public void Report_RefusesToOverwriteASummaryTheUserDidNotName()
    {
        string dir = CliFixture.NewOutputFolder();
        string json = Path.Combine(dir, "notes.json");
        File.WriteAllText(json, "mine");
        var r = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--max-rows", "4", "--out", Path.Combine(dir, "notes.html"));
        Assert.AreEqual(2, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "--out");
        StringAssert.Contains(r.Error, "notes.json");
        Assert.AreEqual("mine", File.ReadAllText(json));
        AssertOneLineError(r);
    }

    [TestMethod]
    public void ExplainGradCam_Json_EqualsGradCamOfTheOriginalModelOnHandNormalizedPixels()
    {
        string dir = CliFixture.NewOutputFolder();
        string output = Path.Combine(dir, "map.json");
        string image = CliFixture.Image(1, 2);
        var r = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", image, "--mean", "0.5", "0.4", "0.3", "--std", "0.25",
            "--method", "gradcam", "--out", output);
        Assert.AreEqual(0, r.ExitCode, r.ToString());

        // Independent path: decode the PNG ourselves, normalise by hand, run the unmodified model.
        var picture = RgbImage.DecodePng(File.ReadAllBytes(image));
        float[] mean = [0.5f, 0.4f, 0.3f];
        var input = new FloatTensor(1, 3, CliFixture.Size, CliFixture.Size);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < CliFixture.Size; y++)
                for (int x = 0; x < CliFixture.Size; x++)
                {
                    var p = picture.GetPixel(x, y);
                    byte v = c == 0 ? p.Red : c == 1 ? p.Green : p.Blue;
                    input.Data[(c * CliFixture.Size + y) * CliFixture.Size + x] = (float)((v / 255.0 - mean[c]) / 0.25);
                }
        var model = ModelGraph.Load(CliFixture.TinyCnn().ToByteArray(), "tiny");
        float[] logits;
        using (var exec = new OnnxExecutor(model)) logits = exec.Run(input)["logits"].Data;
        int top = Array.IndexOf(logits, logits.Max());
        using var engine = new GradientEngine(model);
        var expected = new GradCam(engine, "r3").Attribute(input, new ClassTarget(top));

        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var root = doc.RootElement;
        Assert.AreEqual("gradcam", root.GetProperty("method").GetString());
        Assert.AreEqual("r3", root.GetProperty("layer").GetString(), "default layer: the activation after the last convolution");
        Assert.AreEqual(top, root.GetProperty("target").GetInt32(), "default target: the top class");
        Assert.AreEqual(logits[top], root.GetProperty("score").GetSingle(), 1e-4);
        CollectionAssert.AreEqual(new[] { 8, 8 }, root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        var values = root.GetProperty("values").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.HasCount(64, values);
        double scale = expected.Data.Max(Math.Abs) + 1e-6;
        Assert.IsGreaterThan(0, expected.Data.Max(), "the map is not all zero, so the comparison means something");
        for (int i = 0; i < 64; i++) Assert.AreEqual(expected.Data[i], values[i], 1e-4 * scale, $"map value {i}");
    }

    [TestMethod]
    public void ExplainGradCam_OnResNet18_DefaultsToTheLastResidualBlocksActivation()
    {
        string dir = CliFixture.NewOutputFolder();
        string output = Path.Combine(dir, "map.json");
        var r = CnnDiagProcess.Run("explain", "--model", DefaultModels.ResNet18Path, "--image", CliFixture.Image(2, 0), "--method", "gradcam", "--target", "7", "--out", output);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        // last Conv → BatchNormalization → Add (the skip connection) → Relu, as pytorch-grad-cam's examples pick layer4's output
        var graph = ModelGraph.Load(DefaultModels.ResNet18Path);
        var relu = graph.Layers.Last(l => l.OpType == "Relu");
        var add = graph.Layers.Single(l => l.Outputs[0] == relu.Inputs[0]);
        Assert.AreEqual("Add", add.OpType);
        Assert.AreEqual(relu.Outputs[0], doc.RootElement.GetProperty("layer").GetString());
        CollectionAssert.AreEqual(new[] { 7, 7 }, doc.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 224, 224 }, doc.RootElement.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), "the 32×32 image is resized to the model's size");
    }

    [TestMethod]
    public void ExplainSaliency_Png_IsAnOverlayOfTheImageSize_ForAnExplicitTarget()
    {
        string dir = CliFixture.NewOutputFolder();
        string output = Path.Combine(dir, "map.png");
        var r = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", CliFixture.Image(0, 0), "--method", "saliency", "--target", "2", "--out", output);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Out, "class 2");
        var png = RgbImage.DecodePng(File.ReadAllBytes(output));
        Assert.AreEqual(CliFixture.Size, png.Width);
        Assert.AreEqual(CliFixture.Size, png.Height);
        var original = CliFixture.Digit(0);
        Assert.IsTrue(Enumerable.Range(0, png.Pixels.Length).Any(i => png.Pixels[i] != original.Pixels[i]), "a heat map is blended over the picture");
    }

    [TestMethod]
    public void BadArguments_ExitWith2_NamingTheArgumentAndTheValidChoices()
    {
        string dir = CliFixture.NewOutputFolder();
        var method = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", CliFixture.Image(0, 0), "--method", "lime", "--out", Path.Combine(dir, "m.png"));
        Assert.AreEqual(2, method.ExitCode, method.ToString());
        StringAssert.Contains(method.Error, "--method lime");
        StringAssert.Contains(method.Error, "gradcam, saliency, smoothgrad, ig, occlusion");
        AssertOneLineError(method);

        var unknown = CnnDiagProcess.Run("layers", "--modle", CliFixture.Model);
        Assert.AreEqual(2, unknown.ExitCode, unknown.ToString());
        StringAssert.Contains(unknown.Error, "--modle");
        StringAssert.Contains(unknown.Error, "closest: model");

        var target = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", CliFixture.Image(0, 0), "--method", "saliency", "--target", "3", "--out", Path.Combine(dir, "m.json"));
        Assert.AreEqual(2, target.ExitCode, target.ToString());
        StringAssert.Contains(target.Error, "--target 3");
        StringAssert.Contains(target.Error, "0 to 2");

        var grey = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--grayscale", "--out", Path.Combine(dir, "r.html"));
        Assert.AreEqual(2, grey.ExitCode, grey.ToString());
        StringAssert.Contains(grey.Error, "--grayscale");
        Assert.IsEmpty(Directory.GetFiles(dir), "nothing written after a usage error");
    }

    [TestMethod]
    [DataRow("report --images", "option '--images' needs a value (--images DIR), got none.")]
    [DataRow("report --images a --max-rows 3 --images b", "option '--images' is given twice; give it once.")]
    [DataRow("report --strict=yes", "option '--strict' is a flag and takes no value (got 'yes').")]
    [DataRow("report --size 3 --quiet", "option '--size' needs 2 values (--size H W), got 3.")]
    [DataRow("report --size=64 64 stray", "unexpected argument 'stray': 'report' takes only options")]
    [DataRow("report --images --bogus", "option '--images' needs a value (--images DIR), got none.")]
    [DataRow("report --layers a,b --imgaes=x", "unknown option '--imgaes' for 'report'; closest: images")]
    [DataRow("layers -- --model m.onnx", "unexpected argument '--': 'layers' takes only options")]
    [DataRow("explain --mean -0.5 --method", "option '--method' needs a value (--method NAME), got none.")]
    [DataRow("tsne --out", "option '--out' needs a value (--out FILE.csv), got none.")]
    public void CommandLineMistakes_AreUsageErrorsNamingTheFirstBadArgument(string arguments, string message)
    {
        var r = CnnDiagProcess.Run(arguments.Split(' '));
        Assert.AreEqual(2, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, message, r.ToString());
        AssertOneLineError(r);
    }

    [TestMethod]
    public void ValuesMayBeInlineOrCommaSeparated_AndAtSignsAreFileNames()
    {
        // --size=H W, --mean a,b,c and a file named @points.csv (no response-file expansion) parse as the user wrote them
        string dir = CliFixture.NewOutputFolder();
        var size = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--size=8", "8", "--mean", "0.4,0.5,0.6", "--max-rows", "1", "--out", Path.Combine(dir, "r.html"));
        Assert.AreEqual(2, size.ExitCode, size.ToString());
        StringAssert.Contains(size.Error, "--max-rows 1", "the first option parsed wrongly would be reported instead");
        string at = Path.Combine(dir, "@points.csv");
        var tsne = CnnDiagProcess.Run("tsne", "--input", at, "--out", Path.Combine(dir, "out.csv"));
        Assert.AreEqual(2, tsne.ExitCode, tsne.ToString());
        StringAssert.Contains(tsne.Error, "@points.csv': the file does not exist");
    }

    [TestMethod]
    public void MissingModelFile_And_MissingOutputFolder_AreUsageErrorsNamingTheOption()
    {
        var model = CnnDiagProcess.Run("layers", "--model", Path.Combine(CliFixture.Root, "absent.onnx"));
        Assert.AreEqual(2, model.ExitCode, model.ToString());
        StringAssert.Contains(model.Error, "--model");
        StringAssert.Contains(model.Error, "does not exist");
        AssertOneLineError(model);

        string missing = Path.Combine(CliFixture.Root, "no-such-folder", "map.png");
        var output = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", CliFixture.Image(0, 0), "--method", "saliency", "--out", missing);
        Assert.AreEqual(2, output.ExitCode, output.ToString());
        StringAssert.Contains(output.Error, "--out");
        StringAssert.Contains(output.Error, "does not exist");
        Assert.IsFalse(Directory.Exists(Path.GetDirectoryName(missing)), "the folder is not created");
        AssertOneLineError(output);
    }

    [TestMethod]
    public void ModelWithoutImageInput_FailsWith1AndOneLine_StackTraceOnlyWithVerbose()
    {
        var r = CnnDiagProcess.Run("layers", "--model", CliFixture.FlatModel);
        Assert.AreEqual(1, r.ExitCode, r.ToString());
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, r.ToString());
        StringAssert.Contains(lines[0], "no 4-D float image input");
        StringAssert.Contains(lines[0], "features");
        AssertOneLineError(r);

        var verbose = CnnDiagProcess.Run("layers", "--model", CliFixture.FlatModel, "--verbose");
        Assert.AreEqual(1, verbose.ExitCode, verbose.ToString());
        StringAssert.Contains(verbose.Error, "   at ");
    }

    [TestMethod]
    public void Help_ListsTheVerbs_AndNoArguments_IsAUsageError()
    {
        var help = CnnDiagProcess.Run("--help");
        Assert.AreEqual(0, help.ExitCode, help.ToString());
        foreach (var verb in new[] { "layers", "report", "explain", "tsne" }) StringAssert.Contains(help.Out, verb);
        var none = CnnDiagProcess.Run();
        Assert.AreEqual(2, none.ExitCode, none.ToString());
        StringAssert.Contains(none.Error, "usage: cnndiag");
        var explain = CnnDiagProcess.Run("explain", "--help");
        Assert.AreEqual(0, explain.ExitCode);
        StringAssert.Contains(explain.Out, "--method NAME");
    }

    private static string ClusterCsv(string dir, bool header)
    {
        // three well-separated Gaussian clusters in 10-D, 20 points each, the label in the first column
        var rng = new Random(4);
        var lines = new List<string>();
        if (header) lines.Add("kind," + string.Join(",", Enumerable.Range(1, 10).Select(i => $"f{i}")));
        string[] kinds = ["alpha", "beta, with comma", "gamma"];
        for (int i = 0; i < 60; i++)
        {
            int k = i % 3;
            var values = Enumerable.Range(0, 10).Select(d => (d == k ? 12.0 : 0.0) + rng.NextDouble() * 2 - 1);
            lines.Add($"\"{kinds[k]}\"," + string.Join(",", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        string path = Path.Combine(dir, "points.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void Tsne_OnACsvWithLabels_KeepsRowsAndLabels_AndSeparatesTheClusters()
    {
        string dir = CliFixture.NewOutputFolder();
        string input = ClusterCsv(dir, header: true);
        string output = Path.Combine(dir, "xy.csv");
        var r = CnnDiagProcess.Run("tsne", "--input", input, "--out", output, "--perplexity", "10", "--seed", "3");
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        var lines = File.ReadAllLines(output);
        Assert.AreEqual("x,y,kind", lines[0]);
        Assert.HasCount(61, lines);
        var points = new List<(double X, double Y, string Label)>();
        foreach (var line in lines.Skip(1))
        {
            int first = line.IndexOf(','), second = line.IndexOf(',', first + 1);
            points.Add((double.Parse(line[..first], System.Globalization.CultureInfo.InvariantCulture),
                double.Parse(line[(first + 1)..second], System.Globalization.CultureInfo.InvariantCulture), line[(second + 1)..]));
        }
        string[] expected = ["alpha", "\"beta, with comma\"", "gamma"];
        for (int i = 0; i < 60; i++) Assert.AreEqual(expected[i % 3], points[i].Label, $"row {i} keeps its label and place");
        // independent check: each point's nearest neighbour in the layout has its label
        int agree = 0;
        for (int i = 0; i < 60; i++)
        {
            int nearest = Enumerable.Range(0, 60).Where(j => j != i)
                .MinBy(j => Math.Pow(points[i].X - points[j].X, 2) + Math.Pow(points[i].Y - points[j].Y, 2));
            if (points[nearest].Label == points[i].Label) agree++;
        }
        Assert.AreEqual(60, agree, "clusters 12 apart with unit noise stay apart in 2-D");
    }

    [TestMethod]
    public void Tsne_BadInput_NamesTheCellOrTheArgument()
    {
        string dir = CliFixture.NewOutputFolder();
        string input = ClusterCsv(dir, header: false);
        var perplexity = CnnDiagProcess.Run("tsne", "--input", input, "--out", Path.Combine(dir, "xy.csv"), "--perplexity", "25");
        Assert.AreEqual(2, perplexity.ExitCode, perplexity.ToString());
        StringAssert.Contains(perplexity.Error, "--perplexity 25");
        StringAssert.Contains(perplexity.Error, "at most 19.66");

        var column = CnnDiagProcess.Run("tsne", "--input", input, "--out", Path.Combine(dir, "xy.csv"), "--labels-column", "12");
        Assert.AreEqual(2, column.ExitCode, column.ToString());
        StringAssert.Contains(column.Error, "from 1 to 11");

        File.AppendAllText(input, "\"alpha\",1,2,3,4,5,6,7,8,9,oops\n");
        var cell = CnnDiagProcess.Run("tsne", "--input", input, "--out", Path.Combine(dir, "xy.csv"), "--labels-column", "1");
        Assert.AreEqual(1, cell.ExitCode, cell.ToString());
        StringAssert.Contains(cell.Error, "line 61, column 'column 11': 'oops' is not a finite number");
        AssertOneLineError(cell);
        Assert.IsFalse(File.Exists(Path.Combine(dir, "xy.csv")), "nothing written on failure");
    }
}
