using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class FilterBankRendererTests
{
    private static readonly RgbColor Background = new(10, 200, 30);

    // A k×k kernel with +1 in the left column and −1 elsewhere, in every input channel.
    private static float[] LeftColumnPlus(int inputs, int k, float scale = 1f)
    {
        var w = new float[inputs * k * k];
        for (int i = 0; i < w.Length; i++) w[i] = (i % k == 0 ? 1f : -1f) * scale;
        return w;
    }

    private static FilterGridOptions Bare(FilterTileMode mode, int scale, int padding = 2) => new()
    {
        Mode = mode, Scale = scale, Padding = padding, ShowLabels = false, ShowLegend = false, Background = Background,
    };

    private static void AssertTile(RgbImage image, int x0, int y0, int k, int scale, Func<int, int, RgbColor> expectedAt)
    {
        for (int y = 0; y < k * scale; y++)
            for (int x = 0; x < k * scale; x++)
                Assert.AreEqual(expectedAt(x / scale, y / scale), image.GetPixel(x0 + x, y0 + y), $"pixel ({x0 + x}, {y0 + y})");
    }

    [TestMethod]
    public void RgbTile_LeftColumnPlusOne_RendersWhiteColumnOnBlack()
    {
        var bank = new FilterBank("conv1", new FloatTensor([1, 3, 3, 3], LeftColumnPlus(3, 3)));
        var r = FilterBankRenderer.Render(bank, Bare(FilterTileMode.Rgb, scale: 4));
        Assert.AreEqual(3 * 4 + 2 * 2, r.Image.Width);
        Assert.AreEqual(3 * 4 + 2 * 2, r.Image.Height);
        // symmetric range [-1, 1]: +1 → level 255, −1 → level 0 in all three channels
        AssertTile(r.Image, 2, 2, 3, 4, (kx, _) => kx == 0 ? new RgbColor(255, 255, 255) : new RgbColor(0, 0, 0));
        Assert.AreEqual(Background, r.Image.GetPixel(0, 0));
        Assert.AreEqual(Background, r.Image.GetPixel(15, 15));
        Assert.AreEqual(Background, r.Image.GetPixel(14, 7), "padding right of the tile");
    }

    [TestMethod]
    public void GrayscaleTiles_PerInputChannel_DivergingColormap_ShowSign()
    {
        var bank = new FilterBank("conv2", new FloatTensor([2, 2, 3, 3], LeftColumnPlus(4, 3)));
        var options = new FilterGridOptions
        {
            Mode = FilterTileMode.PerInputChannel, Colormap = Colormap.BlueWhiteRed, Scale = 2, Padding = 1,
            ShowLabels = false, ShowLegend = false, Background = Background,
        };
        var r = FilterBankRenderer.Render(bank, options);
        Assert.AreEqual(2, r.Grid.Columns, "one column per input channel");
        Assert.AreEqual(2 * 6 + 3 * 1, r.Image.Width);
        Assert.AreEqual(2 * 6 + 3 * 1, r.Image.Height);
        for (int t = 0; t < 4; t++)
        {
            var (x, y) = r.Grid.TileOrigin(t);
            AssertTile(r.Image, x, y, 3, 2, (kx, _) => kx == 0 ? RgbColor.Parse("#b2182b") : RgbColor.Parse("#2166ac"));
        }
    }

    [TestMethod]
    public void Normalisation_PerLayer_KeepsRelativeStrength_PerFilter_StretchesEach()
    {
        // filter 1 = 0.5 × filter 0; layer range ±1 puts ±0.5 at floor(256·0.75) = 192 and floor(256·0.25) = 64.
        var w = LeftColumnPlus(1, 2).Concat(LeftColumnPlus(1, 2, 0.5f)).ToArray();
        var bank = new FilterBank("conv2", new FloatTensor([2, 1, 2, 2], w));
        var perLayer = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 1, padding: 0) with { Normalization = FilterNormalization.PerLayer });
        Assert.AreEqual(new RgbColor(255, 255, 255), perLayer.Image.GetPixel(0, 0));
        Assert.AreEqual(new RgbColor(0, 0, 0), perLayer.Image.GetPixel(1, 0));
        Assert.AreEqual(new RgbColor(192, 192, 192), perLayer.Image.GetPixel(2, 0));
        Assert.AreEqual(new RgbColor(64, 64, 64), perLayer.Image.GetPixel(3, 0));
        var perFilter = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 1, padding: 0));
        Assert.AreEqual(new RgbColor(255, 255, 255), perFilter.Image.GetPixel(2, 0));
        Assert.AreEqual(new RgbColor(0, 0, 0), perFilter.Image.GetPixel(3, 0));
    }

    [TestMethod]
    public void AveragedOverInputs_ShowsTheMeanKernel()
    {
        // input 0 = [[2, 0], [0, 0]], input 1 = [[0, 0], [0, −2]] → mean [[1, 0], [0, −1]] → levels 255, 128, 128, 0
        var bank = new FilterBank("conv3", new FloatTensor([1, 2, 2, 2], [2, 0, 0, 0, 0, 0, 0, -2]));
        var r = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 1, padding: 0));
        Assert.AreEqual(new RgbColor(255, 255, 255), r.Image.GetPixel(0, 0));
        Assert.AreEqual(new RgbColor(128, 128, 128), r.Image.GetPixel(1, 0));
        Assert.AreEqual(new RgbColor(128, 128, 128), r.Image.GetPixel(0, 1));
        Assert.AreEqual(new RgbColor(0, 0, 0), r.Image.GetPixel(1, 1));
    }

    [TestMethod]
    public void RgbTile_BgrInputs_PutChannelZeroInBlue()
    {
        var bank = new FilterBank("conv1", new FloatTensor([1, 3, 1, 1], [1f, 0f, -1f]));
        var rgb = FilterBankRenderer.Render(bank, Bare(FilterTileMode.Rgb, 1, padding: 0));
        Assert.AreEqual(new RgbColor(255, 128, 0), rgb.Image.GetPixel(0, 0));
        var bgr = FilterBankRenderer.Render(bank, Bare(FilterTileMode.Rgb, 1, padding: 0) with { InputChannelsAreBgr = true });
        Assert.AreEqual(new RgbColor(0, 128, 255), bgr.Image.GetPixel(0, 0));
    }

    [TestMethod]
    public void GridSize_FollowsCountTileSizeAndPadding()
    {
        // 10 filters of 3×3 at 5 px per weight, padding 3: ⌈√10⌉ = 4 columns, 3 rows.
        var bank = new FilterBank("conv", new FloatTensor([10, 1, 3, 3], Enumerable.Range(0, 90).Select(i => (float)Math.Sin(i)).ToArray()));
        var r = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 5, padding: 3));
        Assert.AreEqual(4 * 15 + 5 * 3, r.Image.Width);
        Assert.AreEqual(3 * 15 + 4 * 3, r.Image.Height);
        Assert.AreEqual((3 + 1 * 18, 3 + 2 * 18), r.Grid.TileOrigin(9));
        var labelled = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 5, padding: 3) with { ShowLabels = true, TextSize = 10 });
        Assert.AreEqual(3 * (15 + 12) + 4 * 3, labelled.Image.Height, "a 12-pixel label band (1.2 × text size) under each row");
        var columns = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 5, padding: 3) with { Columns = 10 });
        Assert.AreEqual((10 * 15 + 11 * 3, 15 + 2 * 3), (columns.Image.Width, columns.Image.Height));
    }

    [TestMethod]
    public void Statistics_MatchBruteForce_AndFlagDeadFilters()
    {
        var rng = new Random(3);
        var w = new float[4 * 2 * 3 * 3];
        for (int i = 0; i < 18; i++) w[i] = (float)(rng.NextDouble() * 2 - 1);          // filter 0: random
        for (int i = 18; i < 36; i++) w[i] = 0.5f;                                       // filter 1: constant
        for (int i = 54; i < 72; i++) w[i] = 0.001f * w[i - 54];                         // filter 3: tiny; filter 2 stays zero
        var bank = new FilterBank("conv", new FloatTensor([4, 2, 3, 3], w));
        for (int f = 0; f < 4; f++)
        {
            var slice = w.Skip(f * 18).Take(18).ToArray();
            Assert.AreEqual(Math.Sqrt(slice.Sum(v => (double)v * v)), bank.Statistics[f].L2Norm, 1e-9);
            Assert.AreEqual(slice.Average(v => (double)v), bank.Statistics[f].Mean, 1e-9);
        }
        CollectionAssert.AreEqual(new[] { 2, 3 }, bank.DeadFilters.ToArray(), "norm ≤ 1% of the largest (filter 1's 0.5·√18)");
        var r = FilterBankRenderer.Render(bank, Bare(FilterTileMode.AveragedOverInputs, 4, padding: 2));
        var (x, y) = r.Grid.TileOrigin(2);
        Assert.AreEqual(RgbColors.Red, r.Image.GetPixel(x - 1, y - 1), "dead filters get a red frame");
        var (x0, y0) = r.Grid.TileOrigin(0);
        Assert.AreEqual(Background, r.Image.GetPixel(x0 - 1, y0 - 1));
        StringAssert.Contains(FilterBankRenderer.Legend(bank)[0], "2 dead");
    }

    [TestMethod]
    public void Legend_StatesTileModeAndNormalisation_AndIsDrawnAboveTheGrid()
    {
        var bank = new FilterBank("conv1", new FloatTensor([4, 3, 3, 3], LeftColumnPlus(12, 3)));
        var legend = FilterBankRenderer.Legend(bank, new FilterGridOptions { Normalization = FilterNormalization.PerLayer });
        StringAssert.Contains(legend[1], "RGB tiles");
        StringAssert.Contains(legend[2], "normalised over the whole layer (±1)");
        StringAssert.Contains(legend[2], "symmetric around 0");
        StringAssert.Contains(FilterBankRenderer.Legend(bank)[2], "normalised per filter");
        StringAssert.Contains(FilterBankRenderer.Legend(bank, new FilterGridOptions { Mode = FilterTileMode.PerInputChannel })[1], "one per (filter, input channel)");

        var with = FilterBankRenderer.Render(bank, Bare(FilterTileMode.Rgb, 4) with { ShowLegend = true });
        var without = FilterBankRenderer.Render(bank, Bare(FilterTileMode.Rgb, 4));
        Assert.AreEqual(without.Image.Width, with.Image.Width);
        Assert.AreEqual(without.Image.Height + with.Grid.HeaderHeight, with.Image.Height);
        int inked = 0;
        for (int y = 0; y < with.Grid.HeaderHeight; y++)
            for (int x = 0; x < with.Image.Width; x++)
                if (with.Image.GetPixel(x, y) != Background) inked++;
        Assert.IsGreaterThan(30, inked, "legend text is drawn in the header band");
    }

    [TestMethod]
    public void BadInput_GivesClearExceptions()
    {
        var notConv = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new FilterBank("fc", new FloatTensor(10, 512)));
        StringAssert.Contains(notConv.Message, "'fc'");
        StringAssert.Contains(notConv.Message, "4-D");
        var empty = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new FilterBank("conv", new FloatTensor(0, 3, 7, 7)));
        StringAssert.Contains(empty.Message, "empty");
        var w = new float[2 * 3 * 2 * 2];
        w[17] = float.NaN;
        var nan = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new FilterBank("conv", new FloatTensor([2, 3, 2, 2], w)));
        StringAssert.Contains(nan.Message, "NaN");
        StringAssert.Contains(nan.Message, "filter 1");
        var notRgb = new FilterBank("conv2", new FloatTensor(2, 4, 3, 3));
        var rgb = Assert.ThrowsExactly<CnnDiagnosticsException>(() => FilterBankRenderer.Render(notRgb, new FilterGridOptions { Mode = FilterTileMode.Rgb }));
        StringAssert.Contains(rgb.Message, "4 input channels");
    }
}
