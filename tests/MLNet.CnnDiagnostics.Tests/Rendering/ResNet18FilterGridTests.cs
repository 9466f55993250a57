using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Rendering;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class ResNet18FilterGridTests
{
    [TestMethod]
    public void Conv1_RendersAsAnRgbGridOf64StructuredTiles_SavedAsArtifact()
    {
        var g = ResNet18Fixture.Model;
        string conv1 = g.Layers.First(l => l.OpType == "Conv").Name;
        var bank = FilterBank.FromModel(g, conv1);
        CollectionAssert.AreEqual(new[] { 64, 3, 7, 7 }, bank.Weights.Shape);

        // the ResNet18 shipped with ML.NET reads BGR, so input channel 0 is blue
        var options = new FilterGridOptions { Scale = 8, Padding = 2, InputChannelsAreBgr = true };
        var r = FilterBankRenderer.Render(bank, options);
        Assert.AreEqual(8, r.Grid.Columns);
        Assert.AreEqual(8, r.Grid.Rows);
        Assert.AreEqual(8 * 56 + 9 * 2, r.Image.Width);
        Assert.AreEqual(r.Grid.HeaderHeight + 8 * (56 + 12) + 9 * 2, r.Image.Height);
        Assert.IsTrue(r.Grid.HeaderHeight is > 0 and < 100, $"legend band of {r.Grid.HeaderHeight} px");

        string path = Path.Combine(AppContext.BaseDirectory, "artifacts", "resnet18-conv1-filters.png");
        r.Image.SavePng(path);
        var decoded = RgbImage.DecodePng(File.ReadAllBytes(path));
        Assert.AreEqual((r.Image.Width, r.Image.Height), (decoded.Width, decoded.Height));

        var distinctTiles = new HashSet<string>();
        for (int f = 0; f < 64; f++)
        {
            var (x0, y0) = r.Grid.TileOrigin(f);
            var colours = new HashSet<RgbColor>();
            var w = bank.Filter(f).ToArray();
            double a = 0;
            foreach (float v in w) a = Math.Max(a, Math.Abs(v));
            for (int ky = 0; ky < 7; ky++)
                for (int kx = 0; kx < 7; kx++)
                {
                    // independent level: floor(256·(w + a)/(2a)), capped at 255; red = input 2, green = 1, blue = 0
                    byte Level(int input) => (byte)Math.Min(255, (int)Math.Floor(256 * (w[input * 49 + ky * 7 + kx] + a) / (2 * a)));
                    var expected = new RgbColor(Level(2), Level(1), Level(0));
                    var pixel = decoded.GetPixel(x0 + kx * 8 + 3, y0 + ky * 8 + 5);
                    Assert.AreEqual(expected, pixel, $"filter {f} weight ({kx}, {ky})");
                    colours.Add(pixel);
                }
            Assert.IsGreaterThan(5, colours.Count, $"filter {f} tile should not be uniform");
            distinctTiles.Add(string.Join(",", colours.OrderBy(c => (c.Red << 16) | (c.Green << 8) | c.Blue)));
        }
        Assert.IsGreaterThan(60, distinctTiles.Count, "tiles differ from each other");
    }

    [TestMethod]
    public void FromModel_NonConvolutionLayer_IsRejectedWithTheConvolutionNames()
    {
        var g = ResNet18Fixture.Model;
        string relu = g.Layers.First(l => l.OpType == "Relu").Name;
        var ex = Assert.ThrowsExactly<CnnDiagnosticsException>(() => FilterBank.FromModel(g, relu));
        StringAssert.Contains(ex.Message, "not a convolution");
    }
}
