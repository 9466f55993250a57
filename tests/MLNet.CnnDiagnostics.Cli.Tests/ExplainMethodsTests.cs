using System.Text.Json;
using Google.Protobuf;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Cli.Tests;

/// <summary>Every registered attribution method is reachable from <c>explain</c> and <c>report</c>, and draws as its JSON values say.</summary>
[TestClass]
public sealed class ExplainMethodsTests
{
    private static JsonElement ExplainJson(string method, string image, params string[] extra)
    {
        string output = Path.Combine(CliFixture.NewOutputFolder(), "map.json");
        var r = CnnDiagProcess.Run(["explain", "--model", CliFixture.Model, "--image", image, "--method", method, .. extra, "--out", output]);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        return doc.RootElement.Clone();
    }

    private static int[] Ints(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    [TestMethod]
    public void Explain_ListsEveryRegisteredMethod_AndRunsTheOnesItCouldNotReachBefore()
    {
        var help = CnnDiagProcess.Run("explain", "--help");
        Assert.AreEqual(0, help.ExitCode, help.ToString());
        foreach (var name in AttributionRegistry.Names) StringAssert.Contains(help.Out, name);

        var plusPlus = ExplainJson("gradcam++", CliFixture.Image(0, 1));
        Assert.AreEqual("gradcam++", plusPlus.GetProperty("method").GetString());
        Assert.AreEqual("r3", plusPlus.GetProperty("layer").GetString(), "the CAM family shares the default layer");
        CollectionAssert.AreEqual(new[] { 8, 8 }, Ints(plusPlus, "shape"));
        Assert.IsTrue(plusPlus.GetProperty("values").EnumerateArray().All(v => v.GetSingle() >= 0), "Grad-CAM++ is rectified");
        Assert.AreEqual("none", plusPlus.GetProperty("reduction").GetString(), "a map without channels is drawn as it is");

        var guided = ExplainJson("guided", CliFixture.Image(0, 1));
        Assert.AreEqual("guided-backprop", guided.GetProperty("method").GetString(), "an alias gives the registry name");
        CollectionAssert.AreEqual(new[] { 3, CliFixture.Size, CliFixture.Size }, Ints(guided, "shape"));
        Assert.AreEqual("max-abs", guided.GetProperty("reduction").GetString());
    }

    [TestMethod]
    public void ExplainCam_Json_IsTheClassWeightedSumOfTheLayersChannels()
    {
        // Independent path: the unmodified model on hand-normalised pixels; CAM = Σ_k W[c,k]·A_k with W the Gemm's weights
        string image = CliFixture.Image(2, 1);
        var json = ExplainJson("cam", image, "--mean", "0.5", "--std", "0.25", "--target", "1");
        var picture = RgbImage.DecodePng(File.ReadAllBytes(image));
        int size = CliFixture.Size;
        var input = new FloatTensor(1, 3, size, size);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    var p = picture.GetPixel(x, y);
                    byte v = c == 0 ? p.Red : c == 1 ? p.Green : p.Blue;
                    input.Data[(c * size + y) * size + x] = (float)((v / 255.0 - 0.5) / 0.25);
                }
        var model = ModelGraph.Load(CliFixture.TinyCnn().ToByteArray(), "tiny");
        var w = model.GetWeight("fc_w");
        using var engine = new GradientEngine(model);
        var a = engine.Evaluate(input, new ClassTarget(1), ["r3"]).Outputs["r3"];
        int k = a.Shape[1], plane = a.Shape[2] * a.Shape[3];
        Assert.AreEqual("cam", json.GetProperty("method").GetString());
        Assert.IsTrue(json.GetProperty("signed").GetBoolean(), "CAM keeps negative evidence");
        CollectionAssert.AreEqual(new[] { a.Shape[2], a.Shape[3] }, Ints(json, "shape"));
        var values = json.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        double scale = 1e-6;
        var expected = new double[plane];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < k; c++) expected[p] += w.Data[1 * k + c] * a.Data[c * plane + p];
            scale = Math.Max(scale, Math.Abs(expected[p]));
        }
        for (int p = 0; p < plane; p++) Assert.AreEqual(expected[p], values[p], 1e-4 * scale, $"position {p}");
    }

    [TestMethod]
    public void ExplainIg_Png_DrawsTheSignedChannelSumOfItsJsonValues()
    {
        // the PNG must show what the JSON's reduction says (the report's gallery draws through the same overlay)
        string image = CliFixture.Image(1, 0);
        var json = ExplainJson("ig", image, "--target", "0");
        Assert.AreEqual("sum", json.GetProperty("reduction").GetString());
        Assert.IsTrue(json.GetProperty("signed").GetBoolean());
        int size = CliFixture.Size, plane = size * size;
        CollectionAssert.AreEqual(new[] { 3, size, size }, Ints(json, "shape"));
        var values = json.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var sum = new FloatTensor(size, size);
        for (int p = 0; p < plane; p++) sum.Data[p] = values[p] + values[plane + p] + values[2 * plane + p];
        var expected = HeatmapOverlay.Render(RgbImage.DecodePng(File.ReadAllBytes(image)), sum, Colormap.BlueWhiteRed);

        string png = Path.Combine(CliFixture.NewOutputFolder(), "map.png");
        var r = CnnDiagProcess.Run("explain", "--model", CliFixture.Model, "--image", image, "--method", "ig", "--target", "0", "--out", png);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        var drawn = RgbImage.DecodePng(File.ReadAllBytes(png));
        int worst = 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                var (e, d) = (expected.GetPixel(x, y), drawn.GetPixel(x, y));
                worst = Math.Max(worst, Math.Max(Math.Abs(e.Red - d.Red), Math.Max(Math.Abs(e.Green - d.Green), Math.Abs(e.Blue - d.Blue))));
            }
        Assert.IsLessThanOrEqualTo(1, worst, "the PNG is the signed channel sum on the diverging colormap (within one level of rounding)");
    }

    [TestMethod]
    public void Report_Methods_PicksAnyRegisteredMethod_AndRejectsAnUnknownOneNamingTheValidOnes()
    {
        string dir = CliFixture.NewOutputFolder();
        var bad = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--methods", "gradcam", "lime", "--out", Path.Combine(dir, "bad.html"));
        Assert.AreEqual(2, bad.ExitCode, bad.ToString());
        StringAssert.Contains(bad.Error, "--methods lime");
        StringAssert.Contains(bad.Error, string.Join(", ", AttributionRegistry.Names));
        Assert.IsEmpty(Directory.GetFiles(dir), "nothing written after a usage error");

        string html = Path.Combine(dir, "report.html");
        var r = CnnDiagProcess.Run("report", "--model", CliFixture.Model, "--images", CliFixture.Images, "--max-rows", "6",
            "--methods", "gradcam++", "guided-backprop", "--out", html);
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        var methods = doc.RootElement.GetProperty("attributions").EnumerateArray().Select(a => a.GetProperty("method").GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "Grad-CAM++", "guided backpropagation" }, methods);
        Assert.IsTrue(doc.RootElement.GetProperty("attributions").EnumerateArray().All(a => a.TryGetProperty("deletionArea", out var d) && d.ValueKind == JsonValueKind.Number),
            "both are measured for faithfulness");
    }
}
